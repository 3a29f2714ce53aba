import { canReadGroup, canSendToGroup, canSendToUser, ClientEvents, DEFAULT_PERMISSIONS, type ErrorCode, ErrorCodes, hasCapability, type Role, type RoleCapabilities, ROLES } from '@parley/contract';

/**
 * What the authorization matrix expects, derived from the one permission table
 * (backend/src/contract/permissions.ts) and the documented error codes. Nothing here restates
 * who may do what: a change to the table changes these expectations with it.
 */
export const TABLE = DEFAULT_PERMISSIONS;

export type SessionState = 'live' | 'none' | 'revoked' | 'expired' | 'disabled';

/** Who acts: a role, and the state of their session and socket. */
export interface Principal {
  key: string;
  /** The account's user name; null for a visitor with no account. */
  username: string | null;
  role: Role | null;
  session: SessionState;
  /** Whether the principal's socket completed verify_user. */
  verified: boolean;
}

export const PRINCIPALS: readonly Principal[] = [
  ...ROLES.map((role): Principal => ({ key: role, username: `p-${role}`, role, session: 'live', verified: true })),
  { key: 'unverified', username: 'p-unverified', role: 'staff', session: 'live', verified: false },
  { key: 'no-session', username: null, role: null, session: 'none', verified: false },
  { key: 'disabled', username: 'p-disabled', role: 'staff', session: 'disabled', verified: false },
  { key: 'signed-out', username: 'p-signed-out', role: 'client', session: 'revoked', verified: false },
  // An admin, to show that a dead session carries none of the role's rights.
  { key: 'expired', username: 'p-expired', role: 'admin', session: 'expired', verified: false },
];

/** The account each role's targets belong to; each has a verified socket that records what it gets. */
export const targetUser = (role: Role) => `t-${role}`;
/** Accounts that destructive admin actions (sign-out, password reset, disconnect) are aimed at. */
export const victimUser = (role: Role) => `v-${role}`;
export const DISABLED_USER = 'gone-user';
/** Accounts DELETE /api/users/:username removes, one per role (only the admin principal succeeds). */
export const deletableUser = (role: Role) => `d-${role}`;

/** Every kind of `recipients` / `conversation` value a socket event can name. */
export type SocketTarget =
  | { kind: 'group'; role: Role; form: 'prefixed' | 'bare' }
  | { kind: 'user'; role: Role; form: 'prefixed' | 'bare' }
  | { kind: 'socket'; role: Role; live: boolean }
  | { kind: 'disabled-user' }
  | { kind: 'unknown'; value: string };

export const SOCKET_TARGETS: readonly SocketTarget[] = [
  ...ROLES.flatMap((role): SocketTarget[] => [
    { kind: 'group', role, form: 'prefixed' },
    { kind: 'group', role, form: 'bare' },
    { kind: 'user', role, form: 'prefixed' },
    { kind: 'user', role, form: 'bare' },
    { kind: 'socket', role, live: true },
    { kind: 'socket', role, live: false },
  ]),
  { kind: 'disabled-user' },
  { kind: 'unknown', value: 'user:nobody' },
  { kind: 'unknown', value: 'nobody' },
  { kind: 'unknown', value: 'group:managers' },
  { kind: 'unknown', value: 'AAAAAAAAAAAAAAAAAAAA' },
];

export function describeTarget(target: SocketTarget): string {
  switch (target.kind) {
    case 'group':
      return target.form === 'prefixed' ? `group:${target.role}` : `${target.role} (bare group)`;
    case 'user':
      return target.form === 'prefixed' ? `user:${targetUser(target.role)}` : `${targetUser(target.role)} (bare name)`;
    case 'socket':
      return `${target.live ? 'live' : 'gone'} socket id of ${targetUser(target.role)}`;
    case 'disabled-user':
      return `user:${DISABLED_USER} (disabled)`;
    case 'unknown':
      return `unknown ${JSON.stringify(target.value)}`;
  }
}

/** What a target names, by the rules in docs/protocol.md (`recipients`, in the order tried). */
export type Resolved = { kind: 'group'; role: Role } | { kind: 'user'; role: Role; username: string } | null;

export function resolveTarget(target: SocketTarget, options: { allowSocketId: boolean; allowDisabled: boolean }): Resolved {
  switch (target.kind) {
    case 'group':
      return { kind: 'group', role: target.role };
    case 'user':
      return { kind: 'user', role: target.role, username: targetUser(target.role) };
    case 'socket':
      return options.allowSocketId ? { kind: 'user', role: target.role, username: targetUser(target.role) } : null;
    case 'disabled-user':
      return options.allowDisabled ? { kind: 'user', role: 'client', username: DISABLED_USER } : null;
    case 'unknown':
      return null;
  }
}

export type Outcome = { ok: true } | { ok: false; code: ErrorCode };
const allow: Outcome = { ok: true };
const refuse = (code: ErrorCode): Outcome => ({ ok: false, code });

/** May this role write to what the target resolves to (send_message, typing)? */
export function mayWrite(role: Role, resolved: Exclude<Resolved, null>): boolean {
  return resolved.kind === 'group' ? canSendToGroup(TABLE, role, resolved.role) : canSendToUser(TABLE, role, resolved.role);
}

export type SocketAction = (typeof ClientEvents)[keyof typeof ClientEvents];

/** Socket events that name a target, and how they resolve it. */
export const TARGETED_EVENTS: Partial<Record<SocketAction, { allowSocketId: boolean; allowDisabled: boolean; writes: boolean }>> = {
  [ClientEvents.SendMessage]: { allowSocketId: true, allowDisabled: false, writes: true },
  [ClientEvents.Typing]: { allowSocketId: true, allowDisabled: false, writes: true },
  // Reading a user's conversation needs the same reach as writing to them (or a DM already
  // shared, which no unreachable pair has in the matrix): a disabled user or one of a role the
  // viewer may not message is answered as unknown. Groups are filtered by visibility instead.
  [ClientEvents.History]: { allowSocketId: false, allowDisabled: false, writes: false },
  [ClientEvents.MarkRead]: { allowSocketId: false, allowDisabled: false, writes: false },
  // `in:` names a conversation as history does (MessageHistoryService.locate).
  [ClientEvents.Search]: { allowSocketId: false, allowDisabled: false, writes: false },
};

/** Socket events that need a capability of the role. */
export const CAPABILITY_EVENTS: Partial<Record<SocketAction, keyof RoleCapabilities>> = {
  [ClientEvents.Roster]: 'watchRoster',
};

export function expectedSocketOutcome(principal: Principal, event: SocketAction, target?: SocketTarget): Outcome {
  if (!principal.verified || principal.role === null) return refuse(ErrorCodes.NotVerified);
  const targeted = TARGETED_EVENTS[event];
  if (targeted && target) {
    const resolved = resolveTarget(target, targeted);
    if (!resolved) return refuse(ErrorCodes.UnknownRecipient);
    // Refused and unknown users are indistinguishable (docs/security.md, finding 6).
    if (resolved.kind === 'user' && !mayWrite(principal.role, resolved)) return refuse(ErrorCodes.UnknownRecipient);
    if (targeted.writes && !mayWrite(principal.role, resolved)) return refuse(ErrorCodes.Forbidden);
    return allow;
  }
  const capability = CAPABILITY_EVENTS[event];
  if (capability && !hasCapability(principal.role, capability)) return refuse(ErrorCodes.Forbidden);
  return allow;
}

// ---- a stored message (edit_message, delete_message, react) ----

/**
 * The message a case names, as the principal stands to it: one they sent (within the edit window
 * or past it), one sent to them, one between two others, or an id never used.
 */
export type MessageTarget = 'own' | 'own-old' | 'addressed' | 'unseen' | 'missing';
export const MESSAGE_TARGETS: readonly MessageTarget[] = ['own', 'own-old', 'addressed', 'unseen', 'missing'];

/** Socket events that act on a stored message by id. */
export const MESSAGE_EVENTS: readonly SocketAction[] = [ClientEvents.EditMessage, ClientEvents.DeleteMessage, ClientEvents.React];

/**
 * docs/protocol.md, "Changing a message": a message out of sight is unknown, as a missing one;
 * only its sender edits, within the window; its sender deletes within the window, a role that
 * moderates at any time; whoever sees it reacts.
 */
export function expectedMessageOutcome(principal: Principal, event: SocketAction, target: MessageTarget): Outcome {
  if (!principal.verified || principal.role === null) return refuse(ErrorCodes.NotVerified);
  if (target === 'unseen' || target === 'missing') return refuse(ErrorCodes.UnknownMessage);
  const own = target !== 'addressed';
  const senderRule = !own ? refuse(ErrorCodes.Forbidden) : target === 'own-old' ? refuse(ErrorCodes.EditWindowClosed) : allow;
  switch (event) {
    case ClientEvents.EditMessage:
      return senderRule;
    case ClientEvents.DeleteMessage:
      return hasCapability(principal.role, 'moderateMessages') ? allow : senderRule;
    default:
      return allow;
  }
}

/** verify_user claims: the principal's own identity, someone else's, or a role that does not exist. */
export type Claim = { kind: 'own' } | { kind: 'other'; role: Role } | { kind: 'bad-role' };
export const CLAIMS: readonly Claim[] = [
  { kind: 'own' },
  ...ROLES.map((role): Claim => ({ kind: 'other', role })),
  { kind: 'bad-role' },
];

export function expectedVerifyOutcome(principal: Principal, claim: Claim): Outcome {
  return principal.session === 'live' && claim.kind === 'own' ? allow : refuse(ErrorCodes.NotAuthorised);
}

/**
 * Which messages a viewer may ever be shown (sync, history, conversations, search): docs/protocol.md
 * `sync`. Role groups to their readers (supervisors too), a team conversation to its role and
 * its guest, a DM to its two people. (The matrix has no channels: test/conversations covers them.)
 */
export function visibleTo(viewer: { username: string; role: Role }, message: Record<string, unknown>): boolean {
  if (message.sender_name === viewer.username) return true;
  switch (message.target_kind) {
    case 'group':
      return canReadGroup(TABLE, viewer.role, message.target as Role);
    case 'team':
      return message.target === viewer.role || message.guest === viewer.username;
    default:
      return message.target === viewer.username;
  }
}

/**
 * The conversation a post (or typing) to `resolved` by this sender lands in: a group the sender
 * reads, else their team conversation with the role; a user's DM.
 */
export function conversationOf(sender: { username: string; role: Role }, resolved: Exclude<Resolved, null>): string {
  if (resolved.kind === 'user') return `user:${resolved.username}`;
  return canReadGroup(TABLE, sender.role, resolved.role) ? `group:${resolved.role}` : `team:${resolved.role}:${sender.username}`;
}

/** Whether someone else's socket gets a post (or typing) the sender sent to `resolved`. */
export function reaches(sender: { username: string; role: Role }, resolved: Exclude<Resolved, null>, other: { username: string; role: Role }): boolean {
  if (resolved.kind === 'user') return other.username === resolved.username;
  return canReadGroup(TABLE, sender.role, resolved.role) ? canReadGroup(TABLE, other.role, resolved.role) : other.role === resolved.role;
}

/** How a REST route is guarded: open to anyone, any signed-in user, or a capability. */
export type RestGuard = 'public' | 'signed-in' | keyof RoleCapabilities;

export function expectedRestOutcome(
  principal: Principal,
  guard: RestGuard,
  targetExists: boolean,
): { status: 'success' } | { status: number; code: ErrorCode } {
  if (guard === 'public') return { status: 'success' };
  if (principal.session !== 'live' || principal.role === null) return { status: 401, code: ErrorCodes.Unauthenticated };
  if (guard !== 'signed-in' && !hasCapability(principal.role, guard)) return { status: 403, code: ErrorCodes.Forbidden };
  if (!targetExists) return { status: 404, code: ErrorCodes.NotFound };
  return { status: 'success' };
}

/**
 * Messages over REST (POST /api/messages, GET /api/conversations/:id/messages): send_message's and
 * history's rules from the table, as HTTP. A user the principal may not reach is unknown (400 in
 * a body, 404 in the path); a role group they may not post to is FORBIDDEN; a group they post to
 * but do not read is read as their team conversation with it.
 */
export function expectedRestMessageOutcome(
  principal: Principal,
  action: 'send' | 'read',
  resolved: Resolved,
): { status: 'success' } | { status: number; code: ErrorCode } {
  const signedIn = expectedRestOutcome(principal, 'signed-in', true);
  if (signedIn.status !== 'success') return signedIn;
  const role = principal.role!;
  const unknown = { status: action === 'send' ? 400 : 404, code: ErrorCodes.UnknownRecipient };
  if (resolved === null || (resolved.kind === 'user' && !mayWrite(role, resolved))) return unknown;
  const may = resolved.kind === 'user' || mayWrite(role, resolved) || (action === 'read' && canReadGroup(TABLE, role, resolved.role));
  return may ? { status: 'success' } : { status: 403, code: ErrorCodes.Forbidden };
}

// ---- channels (REST) ----

/**
 * A channel a case acts on, made fresh for the case: public or private, with the principal in
 * it or not; or a name nobody uses. Its creator is none of the principals (an admin target).
 */
export interface ChannelTarget {
  kind: 'public' | 'private' | 'unknown';
  member: boolean;
}

export const CHANNEL_TARGETS: readonly ChannelTarget[] = [
  { kind: 'public', member: true },
  { kind: 'public', member: false },
  { kind: 'private', member: true },
  { kind: 'private', member: false },
  { kind: 'unknown', member: false },
];

export const describeChannelTarget = (target: ChannelTarget) =>
  target.kind === 'unknown' ? 'unknown channel' : `${target.kind} channel, ${target.member ? 'member' : 'not a member'}`;

/** What a route does with a channel: see it, join it, invite to it, leave it, remove a member, change it. */
export type ChannelAction = 'create' | 'list' | 'read' | 'join' | 'invite' | 'leave' | 'remove' | 'manage';

/**
 * Whether a principal sees a channel: a member does; a public one is seen by roles that may join
 * channels. To anyone else it does not exist: NOT_FOUND, as for an unknown name.
 */
export function seesChannel(role: Role, target: ChannelTarget): boolean {
  return target.kind !== 'unknown' && (target.member || (target.kind === 'public' && TABLE[role].joinChannels));
}

export function expectedChannelOutcome(principal: Principal, action: ChannelAction, target?: ChannelTarget): { status: 'success' } | { status: number; code: ErrorCode } {
  if (principal.session !== 'live' || principal.role === null) return { status: 401, code: ErrorCodes.Unauthenticated };
  const role = principal.role;
  if (action === 'create') return TABLE[role].createChannels ? { status: 'success' } : { status: 403, code: ErrorCodes.Forbidden };
  if (action === 'list') return { status: 'success' };
  if (!target || !seesChannel(role, target)) return { status: 404, code: ErrorCodes.NotFound };
  const forbidden = { status: 403, code: ErrorCodes.Forbidden } as const;
  switch (action) {
    case 'read':
    case 'join':
      return { status: 'success' };
    case 'invite':
      // Members who are not clients invite (here someone every role may message).
      return target.member && role !== 'client' ? { status: 'success' } : forbidden;
    case 'leave':
      return target.member ? { status: 'success' } : { status: 404, code: ErrorCodes.NotFound };
    case 'remove':
    case 'manage':
      // An admin or the creator; the creator is no principal.
      return role === 'admin' ? { status: 'success' } : forbidden;
  }
}
