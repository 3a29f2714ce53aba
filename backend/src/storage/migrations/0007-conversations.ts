import { type ColumnDefinitionBuilder, type Kysely, type Migration, sql } from 'kysely';

/**
 * Conversations beyond role groups and DMs (docs/architecture.md, "The conversation model"):
 * - messages get `audience` (who reads a message as a member: 'group:<role>', 'role:<role>' for
 *   a team conversation's team, 'channel:<id>'; null for a DM, read through recipient_id), indexed
 *   with the id so sync is one index range per audience; `guest` (a team conversation's person
 *   outside the role, by name, as messages copy names); `mentions` (a JSON array, or null);
 * - the one-way posts of before (a client or staff member writing to a role above it) become
 *   the team conversations they now are, and the team's read marks on the group carry over, so
 *   nothing old turns up unread;
 * - channels and their members, announcements and who acknowledged them, and per-conversation
 *   notification settings.
 */
export function conversationsMigration(dialect: 'sqlite' | 'postgres'): Migration {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const primaryKey = (col: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedAlwaysAsIdentity();
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('messages').addColumn('audience', 'text').execute();
      await db.schema.alterTable('messages').addColumn('guest', 'text').execute();
      await db.schema.alterTable('messages').addColumn('mentions', 'text').execute();

      // Upward posts: a role rank below the group's. The default permission table's rule, which
      // was also the only rule under which these rows were written one-way.
      const rank = (column: string) =>
        sql`(case ${sql.ref(column)} when 'client' then 0 when 'staff' then 1 when 'admin' then 2 else 3 end)`;
      await sql`
        update messages set
          target_kind = 'team',
          guest = sender_username,
          recipient_id = sender_id,
          conversation = 'team:' || target || ':' || cast(sender_id as text),
          audience = 'role:' || target
        where target_kind = 'group' and ${rank('sender_role')} < ${rank('target')}`.execute(db);
      await sql`update messages set audience = conversation where target_kind = 'group'`.execute(db);
      // The team read the group's posts before; its marks there cover the team conversations now.
      await sql`
        insert into read_marks (user_id, conversation, last_read_id, updated_at)
        select marks.user_id, teams.conversation, marks.last_read_id, marks.updated_at
        from read_marks marks
        join (select distinct conversation, target from messages where target_kind = 'team') teams
          on marks.conversation = 'group:' || teams.target`.execute(db);
      await db.schema.createIndex('messages_audience_id').on('messages').columns(['audience', 'id']).execute();

      await db.schema
        .createTable('channels')
        .addColumn('id', idType, primaryKey)
        .addColumn('name', 'text', (col) => col.notNull().unique())
        .addColumn('topic', 'text', (col) => col.notNull().defaultTo(''))
        .addColumn('visibility', 'text', (col) => col.notNull())
        .addColumn('created_by', 'bigint', (col) => col.references('users.id'))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addColumn('archived_at', 'bigint')
        .execute();
      await db.schema
        .createTable('channel_members')
        .addColumn('channel_id', 'bigint', (col) => col.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('user_id', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('added_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('channel_members_pk', ['channel_id', 'user_id'])
        .execute();
      await db.schema.createIndex('channel_members_user').on('channel_members').columns(['user_id', 'channel_id']).execute();

      await db.schema
        .createTable('announcements')
        .addColumn('id', idType, primaryKey)
        .addColumn('author_id', 'bigint', (col) => col.notNull().references('users.id'))
        .addColumn('author_username', 'text', (col) => col.notNull())
        .addColumn('body', 'text', (col) => col.notNull())
        /** Space-separated roles it is addressed to ('admin staff client' for everyone). */
        .addColumn('roles', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('announcement_acks')
        .addColumn('announcement_id', 'bigint', (col) => col.notNull().references('announcements.id').onDelete('cascade'))
        .addColumn('user_id', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('acked_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('announcement_acks_pk', ['announcement_id', 'user_id'])
        .execute();
      await db.schema.createIndex('announcement_acks_user').on('announcement_acks').columns(['user_id', 'announcement_id']).execute();

      await db.schema
        .createTable('conversation_settings')
        .addColumn('user_id', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
        /** The storage key, as in messages.conversation and read_marks. */
        .addColumn('conversation', 'text', (col) => col.notNull())
        .addColumn('notify', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('conversation_settings_pk', ['user_id', 'conversation'])
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('conversation_settings').execute();
      await db.schema.dropTable('announcement_acks').execute();
      await db.schema.dropTable('announcements').execute();
      await db.schema.dropTable('channel_members').execute();
      await db.schema.dropTable('channels').execute();
      await db.schema.dropIndex('messages_audience_id').execute();
      await sql`delete from read_marks where conversation like 'team:%'`.execute(db);
      await sql`
        update messages set target_kind = 'group', recipient_id = null, conversation = 'group:' || target
        where target_kind = 'team'`.execute(db);
      await db.schema.alterTable('messages').dropColumn('mentions').execute();
      await db.schema.alterTable('messages').dropColumn('guest').execute();
      await db.schema.alterTable('messages').dropColumn('audience').execute();
    },
  };
}
