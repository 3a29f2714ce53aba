import { type Attachment, type Reaction, type ReplyQuote, REPLY_EXCERPT_CHARS, type WireMessage, withAttachmentLines } from '@parley/contract';
import type { MessageRow } from '../storage/database.types';

/** What a message shows besides its own row: read in batches by MessageViews. */
export interface MessageExtras {
  reactions?: Reaction[];
  /** The answered message, or undefined when it is gone (retention). */
  quoted?: Pick<MessageRow, 'id' | 'sender_username' | 'body' | 'deleted_at'>;
}

export function toWireMessage(row: MessageRow, extras: MessageExtras = {}): WireMessage {
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
  if (row.rev !== null) wire.rev = row.rev;
  if (row.edited_at !== null) wire.edited_at = new Date(row.edited_at).toISOString();
  if (row.deleted_at !== null) wire.deleted = true;
  if (row.reply_to !== null) wire.reply_to = quoteOf(row.reply_to, extras.quoted);
  if (extras.reactions && extras.reactions.length > 0) wire.reactions = extras.reactions;
  if (row.sender_bot === 1) wire.sender_bot = true;
  if (row.attachments !== null) {
    const attachments = JSON.parse(row.attachments) as Attachment[];
    wire.attachments = attachments;
    // A line per file after the text: what a client that shows only `message` needs to know.
    wire.message = withAttachmentLines(row.body, attachments);
  }
  return wire;
}

function quoteOf(id: number, quoted: MessageExtras['quoted']): ReplyQuote {
  if (!quoted) return { id, sender_name: '', excerpt: '', deleted: true };
  if (quoted.deleted_at !== null) return { id, sender_name: quoted.sender_username, excerpt: '', deleted: true };
  return { id, sender_name: quoted.sender_username, excerpt: excerpt(quoted.body) };
}

/** The start of a text, cut on a character (not UTF-16 unit) boundary. */
function excerpt(body: string): string {
  if (body.length <= REPLY_EXCERPT_CHARS) return body;
  return Array.from(body).slice(0, REPLY_EXCERPT_CHARS).join('');
}
