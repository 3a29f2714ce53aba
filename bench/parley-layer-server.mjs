// The third rung of `npm run bench -- --only dm-layers`: Parley's production build whole, except
// that MessageWriter is replaced (through the `overrides` that extensions use, not by editing
// Parley) by one that numbers messages in memory and stores nothing. Its cost over the Nest
// relay is Parley's own per-message work (sessions, validation, permissions, routing, the
// wire message, acks); the full server's cost over it is storage's.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const dist = join(process.env.PARLEY_BENCH_ROOT, 'dist', 'backend');
const { createParleyApp } = require(join(dist, 'app.factory.js'));
const { MessageWriter } = require(join(dist, 'chat', 'message-writer.service.js'));
const { AppConfig } = require(join(dist, 'config', 'app-config.js'));

let nextId = 0;
/** What the real writer answers for a new row, with nothing written anywhere. */
class UnstoredMessages {
  write(message) {
    const row = { rev: null, edited_at: null, deleted_at: null, reply_to: null, attachments: null, guest: null, ...message, id: ++nextId };
    return Promise.resolve({ row, duplicate: false });
  }
  async flush() {}
}

const app = await createParleyApp({ overrides: [{ provide: MessageWriter, useClass: UnstoredMessages }] });
const { PARLEY_PORT, PARLEY_HOST } = app.get(AppConfig).values;
await app.listen(PARLEY_PORT, PARLEY_HOST);
console.log(`http://127.0.0.1:${app.getHttpServer().address().port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
