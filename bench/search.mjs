// The `search` scenario of `npm run bench` (docs/performance.md, "Search"): many stored messages
// in several languages, on SQLite and on PostgreSQL; how long the index takes to build, how fast
// the `search` socket event answers, what the index costs on disk and on every insert.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'hdr-histogram-js';
import pg from 'pg';

const require = createRequire(import.meta.url);
const DAY = 24 * 3600 * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- the text ----------

/** mulberry32: the same messages on both databases and in every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Most frequent first: words are drawn log-uniformly by rank (about Zipf's law), so the first
// few are in most messages and the last in a fraction of a percent of them.
const WORDS = {
  en: `the to and a of is in it for you on that we this be with are have at not can will do if so
    but just i me my what all get up from now there out about one was our no how need please thanks
    when they should check today by time new see last ok yes let still any also meeting server
    team think back could know going issue after update customer before call week work tomorrow
    build client look sure release test start order send report change fixed change support problem
    morning ticket notes data logs access email account review error office again monday friday
    deployed deployment gateway invoice printer schedule scheduled rollback firewall quarterly budget
    contract backup migration password network outage dashboard vendor laptop warehouse shipment
    refund payroll onboarding certificate latency database kubernetes incident postmortem roadmap
    spreadsheet procurement compliance audit escalation redeploy handover invoices`,
  fr: `le la les de et un une est à pour pas que il nous vous sur avec dans ce ça merci bien très
    déjà été réunion demain problème serveur équipe mise jour données sécurité prévu réseau
    déploiement fenêtre société reçu précédent intégration général créé modifié facture imprimante
    réglé élevé accès numéro sauvegarde procédure congés à bientôt café`,
  de: `der die das und ist nicht ich wir sie ein eine zu mit für auf den im von es bitte danke
    schön über können möchte morgen heute Grüße Straße Prüfung Größe Bestätigung Übersicht Änderung
    Fehler Besprechung Rechnung Lösung Drucker Zugang Bücher Mängel Lösungen Kündigung Schlüssel
    Geschäftsführung Störung Wartung Rückmeldung Überweisung`,
  zh: `我们 的 了 是 在 明天 今天 上海 北京 会议 服务器 部署 问题 已经 解决 发票 打印机 客户 需要
    更新 数据库 网络 安全 测试 版本 发布 请 确认 一下 谢谢 报告 项目 时间 合同 备份 迁移 密码 故障 预算`,
  ja: `の は を に が です ます 東京 大阪 会議 明日 今日 サーバー 確認 お願いします 請求書 プリンター
    更新 問題 解決 しました 資料 送ります 予定 担当 顧客 障害 対応 バックアップ 契約 予算 リリース`,
};
const LANGUAGES = [['en', 0.55], ['fr', 0.15], ['de', 0.15], ['zh', 0.08], ['ja', 0.07]];
const CJK = new Set(['zh', 'ja']);
/** Stock phrases some messages carry, so a quoted phrase has matches beside the words apart. */
const PHRASES = { en: ['release notes', 'on call', 'out of office'], fr: ['mise à jour'], de: ['vielen Dank'], zh: ['服务器故障'], ja: ['請求書を送ります'] };
const vocabulary = Object.fromEntries(Object.entries(WORDS).map(([lang, words]) => [lang, words.split(/\s+/).filter(Boolean)]));

/** A chat line: 20–400 characters, most near 60 (log-normal-ish), in one language. */
function messageText(next) {
  let pick = next();
  const [lang] = LANGUAGES.find(([, share]) => (pick -= share) < 0) ?? LANGUAGES[0];
  const words = vocabulary[lang];
  // exp(normal(ln 60, 0.8)), clamped: a median near 60 characters and a long tail to 400.
  const gaussian = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const length = Math.min(400, Math.max(20, Math.round(Math.exp(Math.log(60) + 0.8 * gaussian))));
  const separator = CJK.has(lang) ? '' : ' ';
  const parts = [];
  let size = 0;
  if (next() < 0.03) {
    const phrases = PHRASES[lang];
    parts.push(phrases[Math.floor(next() * phrases.length)]);
    size += parts[0].length;
  }
  while (size < length) {
    const word = words[Math.min(words.length - 1, Math.floor(Math.exp(next() * Math.log(words.length + 1))) - 1)];
    parts.splice(Math.floor(next() * (parts.length + 1)), 0, word);
    size += word.length + separator.length;
  }
  const text = parts.join(separator);
  return CJK.has(lang) ? `${text}。` : `${text[0].toUpperCase()}${text.slice(1)}.`;
}

// ---------- who talks where ----------

const STAFF = 12;
const CLIENTS = 8;
const CHANNELS = 8;
/** The viewer's channels: 3 of the 8. */
const VIEWER_CHANNELS = 3;

/**
 * Where each message goes: 20 % the staff group, 15 % the client group, 40 % eight channels,
 * 25 % DMs between any two people. The viewer (staff, in three channels) reads about 37 %.
 */
function placeMessage(next, people, channels) {
  const r = next();
  const any = (list) => list[Math.floor(next() * list.length)];
  if (r < 0.2) return { sender: any(people.staff), kind: 'group', target: 'staff', conversation: 'group:staff', audience: 'group:staff' };
  if (r < 0.35) return { sender: any(people.clients), kind: 'group', target: 'client', conversation: 'group:client', audience: 'group:client' };
  if (r < 0.75) {
    const channel = any(channels);
    const key = `channel:${channel.id}`;
    return { sender: any(channel.members), kind: 'channel', target: channel.name, conversation: key, audience: key };
  }
  const everyone = people.all;
  const sender = any(everyone);
  let recipient = any(everyone);
  if (recipient === sender) recipient = everyone[(everyone.indexOf(sender) + 1) % everyone.length];
  const [low, high] = [sender.id, recipient.id].sort((a, b) => a - b);
  return { sender, recipient, kind: 'user', target: recipient.username, conversation: `dm:${low}:${high}`, audience: null };
}

export const COLUMNS = ['sender_id', 'sender_username', 'sender_role', 'sender_socket', 'target_kind', 'target', 'recipient_id', 'conversation', 'audience', 'body', 'sent_at'];

/** `count` message rows (arrays in COLUMNS order), sent over the last year, oldest first. */
function* messageRows(count, people, channels, seed = 15) {
  const next = random(seed);
  const start = Date.now() - 365 * DAY;
  for (let i = 0; i < count; i++) {
    const m = placeMessage(next, people, channels);
    yield [m.sender.id, m.sender.username, m.sender.role, 'bench', m.kind, m.target, m.recipient?.id ?? null, m.conversation, m.audience, messageText(next), start + Math.floor((i * 365 * DAY) / count)];
  }
}

// ---------- the two databases ----------

/** SQLite, straight into the file while Parley is stopped. */
export const sqliteStore = (file) => ({
  name: 'sqlite',
  open() {
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 10000');
  },
  close() {
    this.db.close();
  },
  async query(text, params = []) {
    const statement = this.db.prepare(text);
    return statement.reader ? statement.all(...params) : (statement.run(...params), []);
  },
  /** The triggers skip rows at or above search_backfill.below until fill is done: the builder then indexes them, as after an upgrade. */
  async beforeFill() {
    this.db.prepare('update search_backfill set below = 9007199254740991 where id = 1').run();
  },
  async fill(rows) {
    const insert = this.db.prepare(`insert into messages (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
    const batch = this.db.transaction((chunk) => chunk.forEach((row) => insert.run(...row)));
    let chunk = [];
    for (const row of rows) {
      chunk.push(row);
      if (chunk.length === 100_000) batch(chunk.splice(0));
    }
    batch(chunk);
  },
  async afterFill() {
    this.db.prepare('update search_backfill set below = (select max(id) + 1 from messages) where id = 1').run();
  },
  async indexBuilt() {
    const { below, lowest } = this.db.prepare('select below, (select min(id) from messages) as lowest from search_backfill').get();
    return below <= lowest;
  },
  async sizes(count) {
    const pages = this.db.prepare("select name, sum(pgsize) as bytes from dbstat where name like 'messages%' group by name").all();
    const bytes = (match) => pages.filter((p) => match(p.name)).reduce((sum, p) => sum + p.bytes, 0);
    const index = bytes((name) => name.startsWith('messages_search'));
    const table = bytes((name) => name === 'messages');
    return { index_bytes_per_message: index / count, messages_table_bytes_per_message: table / count };
  },
  async dropIndex() {
    for (const { name } of this.db.prepare("select name from sqlite_master where type = 'trigger' and name like 'messages_search_%'").all()) {
      this.db.prepare(`drop trigger ${name}`).run();
    }
  },
});

/** PostgreSQL, a schema of its own, through a pool of the bench's. */
export const postgresStore = (url, schema) => ({
  name: 'postgres',
  open() {
    this.pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 2 });
  },
  async close() {
    await this.pool.end();
  },
  /** `?` placeholders, as SQLite's, numbered for pg. */
  async query(text, params = []) {
    let n = 0;
    return (await this.pool.query(text.replace(/\?/g, () => `$${++n}`), params)).rows;
  },
  /** Parley built the index on the empty table at its first start: dropped, so the build is measured on the full one. */
  async beforeFill() {
    await this.pool.query('drop index if exists messages_search_trgm');
  },
  async fill(rows) {
    const types = ['bigint', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'bigint'];
    const text = `insert into messages (${COLUMNS.join(', ')}) select * from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
    let chunk = [];
    const flush = () => this.pool.query(text, COLUMNS.map((_, c) => chunk.map((row) => row[c])));
    for (const row of rows) {
      chunk.push(row);
      if (chunk.length === 10_000) {
        await flush();
        chunk = [];
      }
    }
    if (chunk.length) await flush();
    await this.pool.query('analyze messages');
  },
  async afterFill() {},
  async indexBuilt() {
    const rows = await this.query(`select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relname = 'messages_search_trgm' and c.relnamespace = current_schema()::regnamespace`);
    return rows[0]?.valid === true;
  },
  async sizes(count) {
    const [row] = await this.query("select pg_relation_size('messages_search_trgm') as index, pg_relation_size('messages') as table");
    return { index_bytes_per_message: Number(row.index) / count, messages_table_bytes_per_message: Number(row.table) / count };
  },
  async dropIndex() {
    await this.pool.query('drop index messages_search_trgm');
  },
});

// ---------- the scenario ----------

/**
 * One database: Parley started once to create the schema and the people, stopped; channels
 * and `sizes.messages` messages written straight into the database; Parley started again and
 * timed until its SearchIndexBuilder has indexed everything; then `sizes.runs` searches of
 * each kind from one staff viewer over the socket, the index size, and insert throughput.
 */
async function searchOn(store, env, sizes, bench) {
  let server = await bench.startParley(bench.dataDir, env);
  const people = { staff: [], clients: [], all: [] };
  try {
    const viewer = await bench.benchClient(server.url, 'staff', 'searcher');
    viewer.socket.disconnect();
    for (const [role, count, list] of [['staff', STAFF, people.staff], ['client', CLIENTS, people.clients]]) {
      for (let i = 0; i < count; i++) {
        const { socket } = await bench.benchClient(server.url, role, `${role}${i}`);
        socket.disconnect();
      }
    }
  } finally {
    await bench.stop(server);
  }

  store.open();
  const result = { stored_messages: sizes.messages };
  try {
    const users = await store.query("select id, username, role from users where username like 'staff%' or username like 'client%' or username = 'searcher'");
    for (const user of users) {
      user.id = Number(user.id);
      people.all.push(user);
      if (user.role === 'staff') people.staff.push(user);
      else people.clients.push(user);
    }
    const viewer = users.find((u) => u.username === 'searcher');
    const now = Date.now();
    const channels = [];
    for (let c = 0; c < CHANNELS; c++) {
      const name = `bench-${c}`;
      await store.query('insert into channels (name, topic, visibility, created_by, created_at, updated_at) values (?, ?, ?, ?, ?, ?)', [name, '', 'private', viewer.id, now, now]);
      const [{ id }] = await store.query('select id from channels where name = ?', [name]);
      // Half the others in each; the viewer in the first VIEWER_CHANNELS.
      const members = people.all.filter((u, i) => (u === viewer ? c < VIEWER_CHANNELS : (i + c) % 2 === 0));
      for (const member of members) {
        await store.query('insert into channel_members (channel_id, user_id, added_at) values (?, ?, ?)', [id, member.id, now]);
      }
      channels.push({ id: Number(id), name, members });
    }
    await store.beforeFill();
    const fillStarted = performance.now();
    await store.fill(messageRows(sizes.messages, people, channels));
    await store.afterFill();
    result.fill_seconds = (performance.now() - fillStarted) / 1000;

    const buildStarted = performance.now();
    server = await bench.startParley(bench.dataDir, env);
    try {
      while (!(await store.indexBuilt())) {
        if (performance.now() - buildStarted > 30 * 60_000) throw new Error('search: index not built after 30 minutes');
        await sleep(50);
      }
      // From Parley's start: its start-up (well under a second) is included.
      result.index_build_seconds = (performance.now() - buildStarted) / 1000;
      result.queries = await measureQueries(server, sizes.runs, bench, channels);
    } finally {
      await bench.stop(server);
    }
    Object.assign(result, await store.sizes(sizes.messages));
  } finally {
    await store.close();
  }
  result.inserts = await insertThroughput(store, env, sizes.inserts, bench);
  return result;
}

/** The queries measured, each kind a few variants taken in turn. */
function queryKinds(channels) {
  const after = new Date(Date.now() - 90 * DAY).toISOString().slice(0, 10);
  return {
    word: ['invoice', 'printer', 'firewall', 'budget'],
    'part of a word': ['deploy', 'schedul', 'voic', 'Prüf'],
    phrase: ['"release notes"', '"mise a jour"', '"out of office"'],
    'CJK, 3 characters': ['服务器', '請求書', '数据库'],
    'CJK, 2 characters': ['上海', '会議', '发票'],
    // The viewer's own channels, each with a staff member of it who posts there.
    'filtered (from: in: after:)': channels.slice(0, 2).map((channel, i) => {
      const sender = channel.members.find((m) => m.role === 'staff' && m.username !== 'searcher');
      return `from:${sender.username} in:#${channel.name} after:${after} ${['printer', 'budget'][i]}`;
    }),
  };
}

async function measureQueries(server, runs, bench, channels) {
  const { socket } = await bench.benchClient(server.url, 'staff', 'searcher');
  const out = {};
  try {
    for (const [kind, variants] of Object.entries(queryKinds(channels))) {
      const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
      let results = 0;
      // One unmeasured round per variant: the first reads pages from disk, as any first search after a start.
      for (const q of variants) await socket.emitWithAck('search', { q });
      for (let i = 0; i < runs; i++) {
        const q = variants[i % variants.length];
        const started = performance.now();
        const ack = await socket.emitWithAck('search', { q });
        histogram.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
        if (!ack.ok) throw new Error(`search ${q}: ${JSON.stringify(ack)}`);
        results += ack.results.length;
      }
      out[kind] = {
        queries: variants,
        runs,
        mean_results: results / runs,
        p50_ms: histogram.getValueAtPercentile(50) / 1000,
        p99_ms: histogram.getValueAtPercentile(99) / 1000,
        max_ms: histogram.maxValue / 1000,
      };
    }
  } finally {
    socket.disconnect();
  }
  return out;
}

/**
 * Messages/s through MessageRepository.insertBatch (the send path's write, from this
 * checkout's build) in batches of 50, with the search index kept in step (on SQLite, the ids
 * listed by the insert trigger indexed every 1,000 messages, timed with the inserts) and then without it
 * (SQLite: the triggers dropped; PostgreSQL: the GIN index dropped), in the same run.
 */
async function insertThroughput(store, env, count, bench) {
  const built = (...path) => require(join(bench.parleyRoot, 'dist', 'backend', ...path));
  const { DatabaseService } = built('storage', 'database.service.js');
  const { AppConfig } = built('config', 'app-config.js');
  const { MessageRepository } = built('storage', 'message.repository.js');
  const { SearchRepository } = built('storage', 'search.repository.js');
  // The server's own storage service, so SQLite writes go through its writer thread as sends do.
  const database = new DatabaseService(
    AppConfig.fromEnv({
      PARLEY_SQLITE_PATH: env.PARLEY_SQLITE_PATH ?? join(bench.dataDir, 'parley.sqlite'),
      PARLEY_DATABASE_URL: env.PARLEY_DATABASE_URL,
      PARLEY_DATABASE_SCHEMA: env.PARLEY_DATABASE_SCHEMA ?? 'public',
    }),
  );
  const repository = new MessageRepository(database);
  // SQLite: sends list their ids and the server indexes them in bulk (SearchIndexBuilder's tick,
  // or the next search); that work is timed here too, a thousand at a time as the tick does.
  const search = new SearchRepository(database);
  const indexPending = () => {
    while (search.indexPending(1000) > 1000);
  };
  store.open();
  const [staff] = await store.query("select id, username from users where username = 'staff0'");
  const people = { staff: [{ ...staff, id: Number(staff.id), role: 'staff' }], clients: [{ ...staff, id: Number(staff.id), role: 'staff' }] };
  people.all = people.staff;
  const channels = [{ id: 0, name: 'none', members: people.staff }];
  const rounds = async (seed) => {
    const rows = [...messageRows(count, people, channels, seed)].map((row) => ({
      ...Object.fromEntries(COLUMNS.map((column, i) => [column, row[i]])),
      // Every message a group post: DMs here would name a recipient that does not exist.
      target_kind: 'group', target: 'staff', recipient_id: null, conversation: 'group:staff', audience: 'group:staff',
      client_id: null,
    }));
    const started = performance.now();
    for (let i = 0; i < rows.length; i += 50) {
      await repository.insertBatch(rows.slice(i, i + 50));
      if ((i / 50 + 1) % 20 === 0) indexPending();
    }
    indexPending();
    return count / ((performance.now() - started) / 1000);
  };
  try {
    // Unmeasured: the first statements compile, the first pages come from disk.
    await rounds(3);
    const indexed = await rounds(1);
    await store.dropIndex();
    const bare = await rounds(2);
    return { messages: count, batch: 50, indexed_per_sec: indexed, unindexed_per_sec: bare, ratio: indexed / bare };
  } finally {
    await store.close();
    await database.onApplicationShutdown();
  }
}

/**
 * The scenario on both databases. `bench` holds run.mjs's helpers: startParley, stop,
 * benchClient, dropSchema, parleyRoot, postgresUrl.
 */
export async function searchScenario(sizes, bench) {
  const results = {};
  const sqliteDir = mkdtempSync(join(tmpdir(), 'parley-bench-search-'));
  try {
    results.sqlite = await searchOn(sqliteStore(join(sqliteDir, 'parley.sqlite')), {}, sizes, { ...bench, dataDir: sqliteDir });
  } finally {
    rmSync(sqliteDir, { recursive: true, force: true });
  }
  const schema = `parley_bench_search_${Math.random().toString(36).slice(2, 8)}`;
  const pgDir = mkdtempSync(join(tmpdir(), 'parley-bench-search-'));
  try {
    const env = { PARLEY_DATABASE_URL: bench.postgresUrl, PARLEY_DATABASE_SCHEMA: schema };
    results.postgres = await searchOn(postgresStore(bench.postgresUrl, schema), env, sizes, { ...bench, dataDir: pgDir });
  } finally {
    await bench.dropSchema(schema);
    rmSync(pgDir, { recursive: true, force: true });
  }
  return results;
}
