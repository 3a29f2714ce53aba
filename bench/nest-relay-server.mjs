// The second rung of `npm run bench -- --only dm-layers`: the baseline's routing (bare
// socket.io, no auth, no validation, no storage) served through a NestJS gateway, as Parley's
// events are (Nest's IoAdapter, @SubscribeMessage handlers answering with their return value).
// Its cost over the baseline is the framework's per-event share of Parley's, before any of
// Parley's own work. Plain JavaScript, so the decorators are called as functions.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';

const ROLES = new Set(['admin', 'staff', 'client']);
let nextId = 0;

class RelayGateway {
  verify(socket, data) {
    socket.join([`group:${data.user_type}`, `user:${data.user_name}`]);
    socket.data.name = data.user_name;
    return { ok: true, latest_id: nextId };
  }

  send(socket, data) {
    const id = ++nextId;
    const room = ROLES.has(data.recipients) ? `group:${data.recipients}` : data.recipients.startsWith('channel:') ? data.recipients : `user:${data.recipients}`;
    this.server.to(room).emit('message_from_user', { message: data.message, sender: socket.id, sender_name: socket.data.name, id });
    return { ok: true, id };
  }
}

for (const [method, event] of [['verify', 'verify_user'], ['send', 'send_message']]) {
  ConnectedSocket()(RelayGateway.prototype, method, 0);
  MessageBody()(RelayGateway.prototype, method, 1);
  SubscribeMessage(event)(RelayGateway.prototype, method, Object.getOwnPropertyDescriptor(RelayGateway.prototype, method));
}
WebSocketServer()(RelayGateway.prototype, 'server');
WebSocketGateway()(RelayGateway);

class RelayModule {}
Module({ providers: [RelayGateway] })(RelayModule);

const app = await NestFactory.create(RelayModule, { logger: false });
app.useWebSocketAdapter(new IoAdapter(app));
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();
process.send?.({ ready: true, port });
