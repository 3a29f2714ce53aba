#!/usr/bin/env node
// @ts-check
// A complete Parley client in one file: sign in, verify, send, print what arrives.
//
//   node docs/examples/chat-client.mjs --user sam --password sam-passphrase-9 --role staff
//   then type lines like   staff: hello everyone   or   cleo: hi Cleo   (recipients: text)
//
// Options: --url (default http://localhost:8080), --to <recipients> --text <text> to send one
// message, --wait <ms> to exit after that long, --since <id> to replay missed messages first.
//
// Plain JavaScript, run with `node` and no build. Event names are string literals, as in any
// third-party client: it has no runtime access to Parley's contract. The types are another
// matter: `npm run typecheck` checks this file against @parley/contract (the @import below and
// the typed socket), so a misspelt event, a wrong payload or a misread ack fails the check.
/** @import { ClientToServerEvents, ErrorBody, LoginRequest, LoginResponse, ServerToClientEvents, WireMessage } from '@parley/contract' */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:8080' },
    user: { type: 'string' },
    password: { type: 'string' },
    role: { type: 'string' },
    to: { type: 'string' },
    text: { type: 'string' },
    wait: { type: 'string' },
    since: { type: 'string' },
  },
});
if (!opt.user || !opt.password || !opt.role) {
  console.error('usage: chat-client.mjs --user NAME --password PASSWORD --role admin|staff|client [--to R --text T] [--wait MS]');
  process.exit(2);
}

/** @type {LoginRequest} */
const credentials = { username: opt.user, password: opt.password };
const login = await fetch(`${opt.url}/api/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(credentials),
});
const body = await login.json();
if (!login.ok) {
  const error = /** @type {ErrorBody} */ (body);
  console.error(`sign-in failed: ${error.code}: ${error.message}`);
  process.exit(1);
}
const session = /** @type {LoginResponse} */ (body);

/** @type {import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>} */
const socket = io(opt.url, { auth: { token: session.token }, transports: ['websocket'] });
/** A group or a team conversation shows its role ('staff'), a channel '#name', a direct message 'dm'. */
const where = (/** @type {WireMessage} */ m) => (m.target_kind === 'user' ? 'dm' : m.target_kind === 'channel' ? `#${m.target}` : m.target);
/** @param {WireMessage} m */
const print = (m) => console.log(`RECEIVED #${m.id} [${where(m)}] ${m.sender_name}: ${m.message}`);
socket.on('message_from_user', print);
socket.on('disconnect', (reason) => console.log(`DISCONNECTED ${reason}`));

const verified = await socket.emitWithAck('verify_user', { user_type: opt.role, user_name: opt.user });
if (!verified.ok) {
  console.error(`verify failed: ${verified.error.code}: ${verified.error.message}`);
  process.exit(1);
}
console.log(`VERIFIED ${verified.user.role} ${verified.user.username}`);

if (opt.since !== undefined) {
  let since = Number(opt.since);
  for (;;) {
    const page = await socket.emitWithAck('sync', { since });
    if (!page.ok) {
      console.error(`sync failed: ${page.error.code}: ${page.error.message}`);
      break;
    }
    page.messages.forEach(print);
    const last = page.messages.at(-1);
    if (!page.more || !last) break;
    since = last.id;
  }
}

/**
 * @param {string} recipients
 * @param {string} message
 */
async function send(recipients, message) {
  const ack = await socket.emitWithAck('send_message', { message, recipients, client_id: crypto.randomUUID() });
  console.log(ack.ok ? `SENT #${ack.id} to ${recipients}` : `REFUSED ${ack.error.code}: ${ack.error.message}`);
}

if (opt.to && opt.text) await send(opt.to, opt.text);

if (opt.wait) {
  setTimeout(() => {
    socket.close();
    process.exit(0);
  }, Number(opt.wait));
} else if (!(opt.to && opt.text)) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const at = line.indexOf(':');
    if (at > 0) void send(line.slice(0, at).trim(), line.slice(at + 1).trim());
  });
} else {
  socket.close();
}
