import { sql, type Kysely } from 'kysely';

/** One table of Parley's PostgreSQL schema, as a backup exports it. */
export interface PostgresTable {
  name: string;
  /** Columns a row can be written with (generated ones are left out), in their declared order. */
  columns: string[];
  /** Each column's declared type (format_type), beside `columns`. */
  types: string[];
  /** Primary key columns: rows are exported in this order, so a dump is deterministic. */
  primaryKey: string[];
}

/** Kysely's own tables: restored from the backup's rows, never written by row inserts of their own. */
export const MIGRATION_TABLE = 'kysely_migration';
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock';

/**
 * Every table Parley's PostgreSQL migrations create (and Kysely's two), by name. The schema may be
 * shared (PARLEY_DATABASE_SCHEMA defaults to `public`): a backup exports only these, a restore
 * counts and, with --force, drops only these, and leaves anything else in the schema alone.
 * backup.spec.ts checks this list against a freshly migrated schema, so a new migration's table
 * cannot be forgotten here.
 */
export const PARLEY_TABLES: ReadonlySet<string> = new Set([
  'announcement_acks',
  'announcements',
  'audit_log',
  'bot_tokens',
  'channel_members',
  'channels',
  'conversation_settings',
  'file_blobs',
  'files',
  'incoming_webhooks',
  'message_reactions',
  'messages',
  'read_marks',
  'retention_overrides',
  'schema_history',
  'server_secrets',
  'sessions',
  'users',
  'webhook_deliveries',
  'webhooks',
  MIGRATION_TABLE,
  MIGRATION_LOCK_TABLE,
]);

/** The function migration 0010 creates in Parley's schema (the extensions it uses live in public). */
export const PARLEY_FUNCTIONS = ['parley_fold(text)'] as const;

/**
 * Every base table in `schema` but those an extension owns (pg_depend deptype 'e': they are the
 * extension's to create, never a backup's), parents before the
 * tables whose foreign keys point at them, so rows can be inserted in this order. Any Kysely
 * handle works, a transaction's included (the export reads the catalogue in its snapshot).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are found at run time, not known to Database's types
export async function postgresTables(db: Kysely<any>, schema: string): Promise<PostgresTable[]> {
  const tables = await sql<{ name: string }>`
    select c.relname as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'r'
      and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    order by c.relname`.execute(db);
  // pg_attribute rather than information_schema.columns: format_type gives the declared type
  // (with array brackets, precision and schema) to read each exported text value back with.
  const columns = await sql<{ table: string; column: string; type: string }>`
    select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    order by c.relname, a.attnum`.execute(db);
  const keys = await sql<{ table: string; column: string }>`
    select c.relname as table, a.attname as column
    from pg_index i
    join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    join lateral unnest(i.indkey) with ordinality as k(attnum, position) on true
    join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
    where i.indisprimary and n.nspname = ${schema}
    order by c.relname, k.position`.execute(db);
  const references = await sql<{ child: string; parent: string }>`
    select c.relname as child, p.relname as parent
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_class p on p.oid = k.confrelid
    join pg_namespace n on n.oid = c.relnamespace
    where k.contype = 'f' and n.nspname = ${schema}`.execute(db);
  const byName = new Map<string, PostgresTable>(tables.rows.map(({ name }) => [name, { name, columns: [], types: [], primaryKey: [] }]));
  for (const { table, column, type } of columns.rows) {
    byName.get(table)?.columns.push(column);
    byName.get(table)?.types.push(type);
  }
  for (const { table, column } of keys.rows) byName.get(table)?.primaryKey.push(column);
  const parents = new Map<string, Set<string>>([...byName.keys()].map((name) => [name, new Set<string>()]));
  // A table referring to itself needs no ordering between tables (its rows go in key order).
  for (const { child, parent } of references.rows) if (child !== parent) parents.get(child)?.add(parent);
  return foreignKeyOrder(parents).map((name) => byName.get(name)!);
}

/** Table names, each after every table it refers to; alphabetical where the order is free. */
export function foreignKeyOrder(parents: Map<string, Set<string>>): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  while (done.size < parents.size) {
    const ready = [...parents.keys()].filter((name) => !done.has(name) && [...parents.get(name)!].every((p) => done.has(p) || !parents.has(p))).sort();
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${[...parents.keys()].filter((name) => !done.has(name)).join(', ')}`);
    for (const name of ready) {
      done.add(name);
      order.push(name);
    }
  }
  return order;
}
