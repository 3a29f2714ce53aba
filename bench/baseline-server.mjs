// The baseline: a bare socket.io 4.8 server routing Parley's events to rooms, with no auth,
// no validation, no permission checks and no storage. What Parley is measured against.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const ROLES = new Set(['admin', 'staff', 'client']);
const port = Number(process.env.PORT ?? 0);
const http = createServer();
const io = new Server(http, { serveClient: false });
let nextId = 0;

io.on('connection', (socket) => {
  socket.on('verify_user', (data, ack) => {
    socket.join([`group:${data.user_type}`, `user:${data.user_name}`]);
    socket.data.name = data.user_name;
    io.to('watchers').emit('roster_diff', { upserted: [{ socket_id: socket.id, user_name: data.user_name }], removed: [] });
    if (typeof ack === 'function') ack({ ok: true, latest_id: nextId });
  });
  socket.on('roster', (_data, ack) => {
    socket.join('watchers');
    if (typeof ack === 'function') ack({ ok: true, connections: [] });
  });
  // The bench's stand-in for POST /api/channels: the socket is in the channel from now on.
  socket.on('join_channel', (data, ack) => {
    socket.join(`channel:${data.name}`);
    if (typeof ack === 'function') ack({ ok: true });
  });
  socket.on('send_message', (data, ack) => {
    const id = ++nextId;
    const room = ROLES.has(data.recipients) ? `group:${data.recipients}` : data.recipients.startsWith('channel:') ? data.recipients : `user:${data.recipients}`;
    io.to(room).emit('message_from_user', { message: data.message, sender: socket.id, sender_name: socket.data.name, id });
    if (typeof ack === 'function') ack({ ok: true, id });
  });
  socket.on('disconnect', () => io.to('watchers').emit('roster_diff', { upserted: [], removed: [socket.id] }));
});

http.listen(port, '127.0.0.1', () => {
  process.send?.({ ready: true, port: http.address().port });
  console.log(`baseline listening on ${http.address().port}`);
});
