import type { Role } from '@parley/contract';
import type { MessageRow, NewMessageRow, UserRow } from '../database.types';

/** A user row as the repositories return it, for specs that need one without a database. */
export function userRow(id: number, role: Role = 'staff', fields: Partial<UserRow> = {}): UserRow {
  return {
    id,
    username: `u${id}`,
    display_name: `U${id}`,
    role,
    password_hash: null,
    disabled: 0,
    created_at: 0,
    updated_at: 0,
    deleted_at: null,
    source: 'local',
    external_id: null,
    directory_disabled: 0,
    bot: 0,
    ...fields,
  };
}

/** A stored group message as the repositories return it, for specs that need one without a database. */
export function messageRow(id: number, body: string, fields: Partial<MessageRow> = {}): MessageRow {
  return {
    id,
    client_id: null,
    sender_id: 1,
    sender_username: 'u1',
    sender_role: 'staff',
    sender_socket: 's',
    target_kind: 'group',
    target: 'staff',
    recipient_id: null,
    conversation: 'group:staff',
    audience: 'group:staff',
    guest: null,
    mentions: null,
    body,
    sent_at: 0,
    rev: null,
    edited_at: null,
    deleted_at: null,
    reply_to: null,
    attachments: null,
    sender_bot: null,
    ...fields,
  };
}

/** A new post to the staff group from `sender`, for specs that store messages. */
export function staffPost(sender: Pick<UserRow, 'id' | 'username'>, body: string): NewMessageRow {
  const group = 'group:staff';
  return { client_id: null, sender_id: sender.id, sender_username: sender.username, sender_role: 'staff', sender_socket: 's', target_kind: 'group', target: 'staff', recipient_id: null, conversation: group, audience: group, body, sent_at: 1 };
}

/** What the repository stores for a new row: the columns it leaves out at their defaults. */
export function storedRow(row: NewMessageRow, id: number): MessageRow {
  return {
    client_id: null,
    recipient_id: null,
    audience: null,
    guest: null,
    mentions: null,
    rev: null,
    edited_at: null,
    deleted_at: null,
    reply_to: null,
    ...row,
    id,
  } as MessageRow;
}
