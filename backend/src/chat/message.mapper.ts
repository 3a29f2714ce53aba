import type { WireMessage } from '@parley/contract';
import type { MessageRow } from '../storage/database.types';

export function toWireMessage(row: MessageRow): WireMessage {
  const wire: WireMessage = {
    message: row.body,
    sender: row.sender_socket,
    sender_name: row.sender_username,
    id: row.id,
    sent_at: new Date(row.sent_at).toISOString(),
    sender_role: row.sender_role,
    target_kind: row.target_kind,
    target: row.target,
    client_id: row.client_id,
  };
  // Optional fields only when set, so a group post or a DM looks exactly as before.
  if (row.guest !== null) wire.guest = row.guest;
  if (row.mentions !== null) wire.mentions = JSON.parse(row.mentions) as string[];
  return wire;
}
