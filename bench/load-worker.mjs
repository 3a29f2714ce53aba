// One load-generating process: real socket.io clients (websocket transport) run by the
// orchestrator (run.mjs) over IPC. Kept apart from the servers so client work is not measured
// as server work.
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { io } from 'socket.io-client';

const sockets = [];
let histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
const seen = new Map(); // "sender:seq" -> count, for loss/duplication accounting
let stopSending = false;
const now = () => performance.timeOrigin + performance.now(); // ms, microsecond resolution

function connect(url, extra = {}) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...extra });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function verify(socket, role, name) {
  const ack = await socket.timeout(30_000).emitWithAck('verify_user', { user_type: role, user_name: name });
  if (!ack.ok) throw new Error(`verify ${name}: ${JSON.stringify(ack)}`);
}

function listen(socket, receiver) {
  socket.on('message_from_user', (m) => {
    const match = /^b:(\d+):(\d+):([\d.]+)/.exec(m.message);
    if (!match) return;
    histogram.recordValue(Math.max(1, Math.round((now() - Number(match[3])) * 1000)));
    const key = `${receiver}|${match[1]}:${match[2]}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
}

/** Closed loop: send, wait for the ack, send again; or open loop at a fixed rate per sender. */
async function sendLoop(socket, senderId, recipients, { durationMs, ratePerSec, padding }) {
  let seq = 0;
  let acked = 0;
  let failed = 0;
  const end = Date.now() + durationMs;
  const body = () => `b:${senderId}:${++seq}:${now().toFixed(3)}:${padding}`;
  const one = async () => {
    const ack = await socket.timeout(30_000).emitWithAck('send_message', { message: body(), recipients, client_id: `${senderId}-${seq}` }).catch(() => ({ ok: false }));
    if (ack.ok) acked++;
    else failed++;
  };
  if (!ratePerSec) {
    while (Date.now() < end && !stopSending) await one();
  } else {
    const interval = 1000 / ratePerSec;
    const inFlight = [];
    let next = performance.now();
    while (Date.now() < end && !stopSending) {
      inFlight.push(one());
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(inFlight);
  }
  return { sent: seq, acked, failed };
}

/**
 * The read-path attack (docs/security.md, finding 1): `sockets` sockets of one account send
 * `sync {since, limit}` on the rate limiter's schedule (the burst at once, then `ratePerSec`),
 * without waiting for answers, for `durationMs`. A socket the server disconnects is replaced,
 * as a determined attacker would. Answers are read (and counted), like a real client.
 */
async function attack({ url, name, role, sockets: count, since, limit, burst, ratePerSec, durationMs }) {
  const totals = { sent: 0, pages: 0, refused: 0, bytes: 0, disconnects: 0, other_errors: 0 };
  const end = Date.now() + durationMs;
  const one = async () => {
    while (Date.now() < end) {
      let socket;
      try {
        socket = await connect(url);
        await verify(socket, role, name);
      } catch {
        totals.other_errors++;
        socket?.disconnect();
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const closed = new Promise((resolve) => socket.once('disconnect', resolve));
      const fire = () => {
        totals.sent++;
        socket.timeout(30_000).emit('sync', { since, limit }, (error, ack) => {
          if (error) return void totals.other_errors++;
          if (ack.ok) {
            totals.pages++;
            for (const m of ack.messages) totals.bytes += m.message.length;
          } else if (ack.error.code === 'RATE_LIMITED') totals.refused++;
          else totals.other_errors++;
        });
      };
      for (let i = 0; i < burst; i++) fire();
      const timer = setInterval(() => (socket.connected && Date.now() < end ? fire() : null), 1000 / ratePerSec);
      const ended = new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now())));
      const how = await Promise.race([closed.then(() => 'closed'), ended.then(() => 'ended')]);
      clearInterval(timer);
      if (how === 'closed') totals.disconnects++;
      socket.disconnect();
    }
  };
  await Promise.all(Array.from({ length: count }, one));
  return totals;
}

const handlers = {
  attack,
  /** Opens and verifies clients; returns their local indexes (for `send`). */
  async connect({ url, clients, startIndex, namePrefix, role, receive }) {
    const created = await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const name = `${namePrefix}${startIndex + i}`;
        const socket = await connect(url);
        await verify(socket, role, name);
        if (receive) listen(socket, name);
        return socket;
      }),
    );
    const first = sockets.length;
    sockets.push(...created);
    return { indexes: created.map((_, i) => first + i) };
  },
  /** The baseline's channel membership: each socket asks to join (Parley's is set up over REST). */
  async joinChannel({ indexes, name }) {
    await Promise.all(indexes.map((index) => sockets[index].timeout(30_000).emitWithAck('join_channel', { name })));
    return {};
  },
  /** senders: [{index, senderId, recipients}]. */
  async send({ senders, durationMs, ratePerSec, padding }) {
    stopSending = false;
    const results = await Promise.all(
      senders.map(({ index, senderId, recipients }) => sendLoop(sockets[index], senderId, recipients, { durationMs, ratePerSec, padding })),
    );
    return results.reduce((a, r) => ({ sent: a.sent + r.sent, acked: a.acked + r.acked, failed: a.failed + r.failed }), { sent: 0, acked: 0, failed: 0 });
  },
  /** Latencies (µs, as an encoded HdrHistogram) and which messages arrived how often. */
  async stats() {
    return { histogram: encodeIntoCompressedBase64(histogram), seen: [...seen.entries()] };
  },
  async reset() {
    histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
    seen.clear();
    return {};
  },
  async close() {
    for (const socket of sockets.splice(0)) socket.disconnect();
    return {};
  },
};

process.on('message', async ({ id, command, args }) => {
  try {
    process.send({ id, ok: true, result: await handlers[command](args ?? {}) });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
