import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Full-text search (docs/architecture.md, "Search"). Both databases answer "does the folded text
 * (lower case, accents removed) contain this folded term", so a query means the same on both:
 * - SQLite: an FTS5 index of messages.body with the trigram tokenizer (substrings of three or
 *   more characters, any script) folding case and diacritics. External content: the text is
 *   stored once, in messages; the index holds trigrams and is kept in step by triggers, in the
 *   same transaction as every insert, edit, delete and retention purge: a new message's id is
 *   listed in `search_pending` there and indexed in bulk before the next search; edits and
 *   deletes change the index at once. `secure-delete` removes a deleted text's entries from the
 *   index at once, rather than at a later merge.
 *   Existing messages are indexed by SearchIndexBuilder in batches, newest first, while the
 *   server runs: `search_backfill.below` is the id under which rows are not indexed yet, and
 *   the triggers only remove what the index holds (an FTS5 'delete' of a row it never
 *   indexed would corrupt it).
 * - PostgreSQL: pg_trgm and unaccent (both "trusted": the database owner may install them) and
 *   parley_fold(text), the immutable fold an expression index needs. The GIN index itself is
 *   built by SearchIndexBuilder with CREATE INDEX CONCURRENTLY, which a migration's transaction
 *   cannot hold and which does not block writes.
 */
export function searchIndexMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') {
        // In public, not Parley's schema: an extension is one per database, and a schema dropped
        // with CASCADE would take it from everyone else.
        await sql`create extension if not exists pg_trgm with schema public`.execute(db);
        await sql`create extension if not exists unaccent with schema public`.execute(db);
        await sql`
          create or replace function parley_fold(text) returns text
          language sql immutable strict parallel safe
          as $$ select lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$`.execute(db);
        return;
      }
      await sql`create table search_backfill (id integer primary key check (id = 1), below integer not null)`.execute(db);
      await sql`insert into search_backfill (id, below) select 1, coalesce(max(id), 0) + 1 from messages`.execute(db);
      await sql`
        create virtual table messages_search using fts5(
          body, content = 'messages', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1'
        )`.execute(db);
      await sql`insert into messages_search (messages_search, rank) values ('secure-delete', 1)`.execute(db);
      // New messages are listed here by the insert trigger, in the sending transaction, and move
      // into the FTS5 index in bulk (SearchRepository.indexPending: before every search, and
      // in the background). Indexing each row from the trigger cost a new FTS5 segment per
      // message (FTS5 flushes at every statement savepoint): 0.11x the insert rate (docs/performance.md).
      await sql`create table search_pending (id integer primary key)`.execute(db);
      const below = (row: 'new' | 'old') => sql.raw(`${row}.id >= (select below from search_backfill where id = 1)`);
      const pending = (row: 'new' | 'old') => sql.raw(`exists (select 1 from search_pending where id = ${row}.id)`);
      await sql`
        create trigger messages_search_insert after insert on messages
        when new.body != '' and ${below('new')}
        begin
          insert or ignore into search_pending (id) values (new.id);
        end`.execute(db);
      // What the index holds (below the frontier, not pending) is removed from it at once: a
      // deleted text leaves the index in the transaction that deletes it.
      await sql`
        create trigger messages_search_delete after delete on messages
        when ${below('old')}
        begin
          insert into messages_search (messages_search, rowid, body)
            select 'delete', old.id, old.body where old.body != '' and not ${pending('old')};
          delete from search_pending where id = old.id;
        end`.execute(db);
      // A pending row is indexed with whatever its text is when its turn comes.
      await sql`
        create trigger messages_search_update after update of body on messages
        when old.body is not new.body and ${below('old')} and not ${pending('old')}
        begin
          insert into messages_search (messages_search, rowid, body) select 'delete', old.id, old.body where old.body != '';
          insert into messages_search (rowid, body) select new.id, new.body where new.body != '';
        end`.execute(db);
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') {
        await sql`drop index if exists messages_search_trgm`.execute(db);
        await sql`drop function if exists parley_fold(text)`.execute(db);
        return;
      }
      for (const trigger of ['messages_search_insert', 'messages_search_delete', 'messages_search_update']) {
        await sql`drop trigger if exists ${sql.id(trigger)}`.execute(db);
      }
      await sql`drop table if exists messages_search`.execute(db);
      await sql`drop table if exists search_backfill`.execute(db);
      await sql`drop table if exists search_pending`.execute(db);
    },
  };
}
