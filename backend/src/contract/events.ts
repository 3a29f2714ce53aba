import type { z } from 'zod';
import type { Announcement, AnnouncementAckedPayload } from './announcements';
import type { ChannelRemovedPayload, ChannelUpdatedPayload } from './channels';
import type { NotifyChangedPayload, NotifyLevel } from './mentions';
import type { SearchAck } from './search';
import type {
  ClientEvents,
  ConversationsAck,
  DeleteMessageAck,
  DirectoryAck,
  EditMessageAck,
  HistoryAck,
  ErrorBody,
  ParleyErrorPayload,
  PresencePayload,
  ReactAck,
  ReactionChangedPayload,
  ReadPayload,
  ReadReceipt,
  RosterDiffPayload,
  RosterSnapshotAck,
  SendMessageAck,
  ServerEvents,
  ServerShutdownPayload,
  SessionEndedPayload,
  SyncAck,
  TypingPayload,
  UpdateWebAppPayload,
  VerifyUserAck,
  WireMessage,
} from './protocol';
// Type-only: the web app gets the payload types without bundling zod or the validators.
import type * as schemas from './schemas/socket';

/*
 * The event map: each client event with its payload and ack, each server event with its
 * payload. A new event is one entry here plus its schema; the server's handlers, Broadcaster,
 * the web app's ChatConnection and the tests' socket.io clients are all typed from it, so a
 * misspelt event or a wrong payload fails `npm run typecheck`.
 */

// ---- client -> server payloads: what a client may send, inferred from the validators ----

export type VerifyUserPayload = z.input<typeof schemas.verifyUserSchema>;
/**
 * `recipients`: 'admin' | 'staff' | 'client', 'group:<role>', 'user:<name>', a user name or a
 * socket id. `client_id`: client-chosen; a resend with the same id is stored and delivered once.
 */
export type SendMessagePayload = z.input<typeof schemas.sendMessageSchema>;
/**
 * `since`: the last message id the client has; the server replays every visible message after
 * it. `limit`: default 100, more than 500 is lowered to 500. A page also stops before the
 * server's byte budget (PARLEY_READ_PAGE_BYTES), with `more: true`: resume from its last id.
 */
export type SyncPayload = z.input<typeof schemas.syncSchema>;
/**
 * `conversation`: same forms as send_message's recipients, except socket ids. `before`: only
 * messages with a smaller id; omit for the newest page. `limit`: default 50, at most 200.
 */
export type HistoryPayload = z.input<typeof schemas.historySchema>;
/** All optional; `{}` (or nothing) asks for the newest page. */
export type ConversationsPayload = z.input<typeof schemas.conversationsPageSchema> | undefined;
/** All optional; `{}` (or nothing) asks for the first page. `limit`: default 100, at most 200. */
export type DirectoryPayload = z.input<typeof schemas.directoryPageSchema> | undefined;
/** `conversation`: 'group:<role>' or 'user:<name>' (also accepted: the other forms of `recipients`). */
export type ConversationPayload = z.input<typeof schemas.conversationSchema>;
/** `up_to`: id of the newest message the user has seen in the conversation. */
export type MarkReadPayload = z.input<typeof schemas.markReadSchema>;
/** `notify`: 'all' (default), 'mentions' (only messages that mention the user) or 'nothing'. */
export type SetNotifyPayload = z.input<typeof schemas.setNotifySchema>;
/** `id`: a message of one's own (PARLEY_EDIT_WINDOW_MINUTES); `message`: its new text. */
export type EditMessagePayload = z.input<typeof schemas.editMessageSchema>;
/** `id`: a message of one's own within the edit window, or for an admin any message. */
export type DeleteMessagePayload = z.input<typeof schemas.deleteMessageSchema>;
/** `emoji`: one of REACTION_EMOJI; `on`: add it (true) or take it back (false). */
export type ReactPayload = z.input<typeof schemas.reactSchema>;
/**
 * `q`: words (parts of words match), "quoted phrases" and filters (`from:sam in:#ops
 * after:2026-01-31`); `in`, `from`, `before`, `after`: the same filters as fields. `cursor`: a
 * previous answer's next_cursor. `order`: 'newest' (default) or 'relevance'. `tz`: minutes east
 * of UTC for bare dates (default 0).
 */
export type SearchPayload = z.input<typeof schemas.searchSchema>;
/** The roster takes no fields. */
export type RosterPayload = Record<string, never> | undefined;

export interface MarkReadAck {
  /** The conversation's canonical id. */
  conversation: string;
}
export interface SetNotifyAck {
  /** The conversation's canonical id. */
  conversation: string;
  notify: NotifyLevel;
}
/** No fields beyond `ok`. Not Record<string, never>: `{ ok: true }` & that has no values at all. */
export type TypingAck = Record<never, never>;

export interface ClientEventMap {
  [ClientEvents.VerifyUser]: { payload: VerifyUserPayload; ack: VerifyUserAck };
  [ClientEvents.SendMessage]: { payload: SendMessagePayload; ack: SendMessageAck };
  [ClientEvents.Sync]: { payload: SyncPayload; ack: SyncAck };
  [ClientEvents.History]: { payload: HistoryPayload; ack: HistoryAck };
  [ClientEvents.Roster]: { payload: RosterPayload; ack: RosterSnapshotAck };
  [ClientEvents.Conversations]: { payload: ConversationsPayload; ack: ConversationsAck };
  [ClientEvents.MarkRead]: { payload: MarkReadPayload; ack: MarkReadAck };
  [ClientEvents.Directory]: { payload: DirectoryPayload; ack: DirectoryAck };
  [ClientEvents.Typing]: { payload: ConversationPayload; ack: TypingAck };
  [ClientEvents.SetNotify]: { payload: SetNotifyPayload; ack: SetNotifyAck };
  [ClientEvents.EditMessage]: { payload: EditMessagePayload; ack: EditMessageAck };
  [ClientEvents.DeleteMessage]: { payload: DeleteMessagePayload; ack: DeleteMessageAck };
  [ClientEvents.React]: { payload: ReactPayload; ack: ReactAck };
  [ClientEvents.Search]: { payload: SearchPayload; ack: SearchAck };
}

export interface ServerEventMap {
  [ServerEvents.MessageFromUser]: WireMessage;
  [ServerEvents.UpdateWebApp]: UpdateWebAppPayload;
  [ServerEvents.RosterDiff]: RosterDiffPayload;
  [ServerEvents.Presence]: PresencePayload;
  [ServerEvents.Typing]: TypingPayload;
  [ServerEvents.Read]: ReadPayload;
  [ServerEvents.ParleyError]: ParleyErrorPayload;
  [ServerEvents.ServerShutdown]: ServerShutdownPayload;
  [ServerEvents.SessionEnded]: SessionEndedPayload;
  [ServerEvents.ChannelUpdated]: ChannelUpdatedPayload;
  [ServerEvents.ChannelRemoved]: ChannelRemovedPayload;
  [ServerEvents.Announcement]: Announcement;
  [ServerEvents.AnnouncementAcked]: AnnouncementAckedPayload;
  [ServerEvents.NotifyChanged]: NotifyChangedPayload;
  [ServerEvents.MessageEdited]: WireMessage;
  [ServerEvents.MessageDeleted]: WireMessage;
  [ServerEvents.ReactionChanged]: ReactionChangedPayload;
  [ServerEvents.ReadReceipt]: ReadReceipt;
}

export type ClientEvent = keyof ClientEventMap;
export type ServerEvent = keyof ServerEventMap;
export type PayloadOf<E extends ClientEvent> = ClientEventMap[E]['payload'];
/** What a handler answers: its ack fields with `ok: true`, or a coded error. */
export type AckOf<E extends ClientEvent> = ({ ok: true } & ClientEventMap[E]['ack']) | { ok: false; error: ErrorBody };

/**
 * The same map in socket.io's shape, for `Socket<ServerToClientEvents, ClientToServerEvents>`
 * (socket.io-client) and `Server<ClientToServerEvents, ServerToClientEvents>`: every emit and
 * listener of a typed socket is checked against the contract.
 */
export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: PayloadOf<E>, ack: (answer: AckOf<E>) => void) => void;
};
export type ServerToClientEvents = {
  [E in ServerEvent]: (payload: ServerEventMap[E]) => void;
};
