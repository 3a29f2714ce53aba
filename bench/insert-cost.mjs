#!/usr/bin/env node
// What one stored message costs SQLite, and which part of the schema it goes to: CPU per DM row
// committed as shipped, without the search trigger, and without the secondary indexes too, in
// transactions of 1 and of 4 rows (closed-loop DMs commit in small batches). The schema is
// Parley's own, made by this checkout's build (`npm run build:server` first); WAL with
// synchronous = NORMAL, so the figures are CPU and page writes, not the fsync.
//
//   node bench/insert-cost.mjs [--rows 20000]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const require = createRequire(import.meta.url);
const root = join(fileURLToPath(import.meta.url), '..', '..');
const { values } = parseArgs({ options: { rows: { type: 'string', default: '20000' } } });
const ROWS = Number(values.rows);
const dir = mkdtempSync(join(tmpdir(), 'parley-insert-cost-'));
const SECONDARY = ['messages_conversation_id', 'messages_sender_id_id', 'messages_recipient_id_id', 'messages_sender_socket', 'messages_audience_id', 'messages_sent_at'];

async function migratedFile() {
  const { DatabaseService } = require(join(root, 'dist', 'backend', 'storage', 'database.service.js'));
  const { AppConfig } = require(join(root, 'dist', 'backend', 'config', 'app-config.js'));
  const file = join(dir, 'migrated.sqlite');
  const database = new DatabaseService(AppConfig.fromEnv({ PARLEY_SQLITE_PATH: file }));
  await database.onModuleInit();
  await database.onApplicationShutdown();
  const db = new Database(file);
  db.prepare("insert into users (username, display_name, role, password_hash, created_at, updated_at) values ('amy', 'Amy', 'staff', null, 0, 0), ('sam', 'Sam', 'staff', null, 0, 0)").run();
  db.close();
  return file;
}

function measure(template, label, change, batch) {
  const file = join(dir, 'run.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  copyFileSync(template, file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  change(db);
  const [amy, sam] = db.prepare('select id from users order by id').pluck().all();
  const insert = db.prepare(
    'insert into messages (client_id, sender_id, sender_username, sender_role, sender_socket, target_kind, target, recipient_id, conversation, audience, body, sent_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?)',
  );
  const commit = db.transaction((from, count) => {
    for (let i = from; i < from + count; i++) {
      insert.run(`c${i}`, amy, 'amy', 'staff', `socket${i % 50}`, 'user', 'sam', sam, `dm:${amy}:${sam}`, `message ${i} ${'x'.repeat(64)}`, Date.now());
    }
  });
  const cpu = process.cpuUsage();
  for (let i = 0; i < ROWS; i += batch) commit.immediate(i, Math.min(batch, ROWS - i));
  const used = process.cpuUsage(cpu);
  db.close();
  return { label, batch, cpu_us_per_row: (used.user + used.system) / ROWS };
}

try {
  const template = await migratedFile();
  const results = [];
  for (const batch of [1, 4]) {
    results.push(measure(template, 'as shipped', () => {}, batch));
    results.push(measure(template, 'without the search trigger', (db) => db.exec('drop trigger messages_search_insert'), batch));
    results.push(
      measure(template, 'without it and the secondary indexes', (db) => {
        db.exec('drop trigger messages_search_insert');
        for (const index of SECONDARY) db.exec(`drop index ${index}`);
      }, batch),
    );
  }
  console.log(`| schema | rows per transaction | CPU µs per row (${ROWS} rows) |\n| --- | --- | --- |`);
  for (const r of results) console.log(`| ${r.label} | ${r.batch} | ${r.cpu_us_per_row.toFixed(1)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
