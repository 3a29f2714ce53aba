import { Injectable } from '@nestjs/common';
import { ErrorCodes, type Role, type WireMessage } from '@parley/contract';
import { text } from '@parley/contract/schemas';
import { assertMessageSize } from '../chat/send-message.pipe';
import { inTime } from '../common/in-time';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import type { Target } from '../chat/message-routing.service';
import type { UserRow } from '../storage/database.types';
import { HookFailures, PerExtension, HookList, type HookSource } from './hook-list';

/** A person as hooks see them: enough to name and address them, nothing secret. */
export interface HookUser {
  id: number;
  username: string;
  display_name: string;
  role: Role;
}

/** Where a message goes, by the names people use (wire names, not storage keys). */
export type HookTarget =
  | { kind: 'group'; group: Role }
  | { kind: 'team'; group: Role; guest: string }
  | { kind: 'channel'; channel: string }
  | { kind: 'user'; user: string };

/** A message about to be stored, as a before-store hook sees it. */
export interface OutgoingMessage {
  /** The text as it stands: the sender's, or what the hooks before this one made of it. */
  text: string;
  sender: HookUser;
  target: HookTarget;
  /** Whether an extension sent it (MessageSender) rather than a person. */
  fromExtension: boolean;
}

/** Nothing (keep the text), `{text}` to store another text, or `{refuse}` with what the sender is told. */
export type BeforeStoreResult = void | undefined | { text: string } | { refuse: string };
export type BeforeStoreHook = (message: OutgoingMessage) => BeforeStoreResult | Promise<BeforeStoreResult>;

/** A message stored and emitted to its recipients, as an after-delivery hook sees it. */
export interface DeliveredMessage {
  /** Exactly what the recipients got (message_from_user). */
  message: WireMessage;
  sender: HookUser;
  target: HookTarget;
}
/** Its result is ignored; a throw or a rejection is logged and counted, never seen by anyone else. */
export type AfterDeliveryHook = (delivered: DeliveredMessage) => unknown;

export const MessageHookNames = { beforeStore: 'message.before_store', afterDelivery: 'message.after_delivery' } as const;

export function hookUser(user: UserRow): HookUser {
  return { id: user.id, username: user.username, display_name: user.display_name, role: user.role };
}

export function hookTarget(target: Target): HookTarget {
  switch (target.kind) {
    case 'group':
      return { kind: 'group', group: target.group };
    case 'team':
      return { kind: 'team', group: target.group, guest: target.guest.username };
    case 'channel':
      return { kind: 'channel', channel: target.channel.name };
    case 'user':
      return { kind: 'user', user: target.user.username };
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** What refusing looks like on the wire when a hook gives no reason. */
const DEFAULT_REFUSAL = 'This server does not accept this message';

/**
 * The message hooks, in one ordered chain each. Before-store hooks run in the send path (after
 * the sender was authorised, before mentions and storage) and may rewrite or refuse; their output
 * is checked like a sender's text. After-delivery hooks run detached, after the emit.
 */
@Injectable()
export class MessageHooks extends PerExtension {
  private readonly beforeStoreHooks = new HookList<BeforeStoreHook>();
  private readonly afterDeliveryHooks = new HookList<AfterDeliveryHook>();
  private readonly maxBytes: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly failures: HookFailures,
    config: AppConfig,
  ) {
    super();
    this.maxBytes = config.values.PARLEY_MAX_MESSAGE_BYTES;
    this.timeoutMs = config.values.PARLEY_HOOK_TIMEOUT_MS;
  }

  /** Runs before every message is stored, in PARLEY_EXTENSIONS order; each sees the previous one's text. */
  beforeStore(hook: BeforeStoreHook): void {
    this.beforeStoreHooks.add(hook, this.source);
  }

  /** Runs after every message a person sent was delivered (not after an extension's own: no reply loops). */
  afterDelivery(hook: AfterDeliveryHook): void {
    this.afterDeliveryHooks.add(hook, this.source);
  }

  /**
   * The text to store. MESSAGE_REFUSED when a hook refuses; INTERNAL when one throws or returns
   * what no sender could have sent (empty, over PARLEY_MAX_MESSAGE_BYTES, not text): the
   * extension's bug, logged and counted, and the message is not stored.
   * `mayBeEmpty`: the message carries files, so an empty text is a valid one.
   */
  runBeforeStore(text: string, sender: UserRow, target: Target, options: { fromExtension: boolean; mayBeEmpty: boolean }): string | Promise<string> {
    // The common case, no hooks, costs the send path nothing.
    if (this.beforeStoreHooks.size === 0) return text;
    return this.chain({ text, sender: hookUser(sender), target: hookTarget(target), fromExtension: options.fromExtension }, options.mayBeEmpty);
  }

  private async chain(message: OutgoingMessage, mayBeEmpty: boolean): Promise<string> {
    let current = message.text;
    for (const { hook, source } of this.beforeStoreHooks) {
      let result: BeforeStoreResult;
      try {
        const answer = hook({ ...message, text: current });
        // A hook that never answers would hold the sender's lane for ever; past the limit the message fails as on a throw.
        result = isPromiseLike(answer) ? await inTime(answer, this.timeoutMs, `did not answer within ${this.timeoutMs} ms (PARLEY_HOOK_TIMEOUT_MS)`) : answer;
      } catch (error) {
        throw this.failed(source, error);
      }
      if (result === undefined || result === null) continue;
      // A plain JavaScript hook may return anything; what is not an answer is its bug, reported as one.
      if (typeof result !== 'object') throw this.failed(source, new Error(`returned ${typeof result}, not { text } or { refuse }`));
      if ('refuse' in result) throw new ParleyError(ErrorCodes.MessageRefused, String(result.refuse || DEFAULT_REFUSAL).slice(0, 500));
      const problem = this.invalidText(result.text, mayBeEmpty);
      if (problem) throw this.failed(source, new Error(`returned a text that ${problem}`));
      current = result.text;
    }
    return current;
  }

  /** After the emit; never awaited, never throws. */
  runAfterDelivery(message: WireMessage, sender: UserRow, target: Target): void {
    if (this.afterDeliveryHooks.size === 0) return;
    this.failures.runDetached(MessageHookNames.afterDelivery, this.afterDeliveryHooks, { message, sender: hookUser(sender), target: hookTarget(target) });
  }

  private invalidText(value: unknown, mayBeEmpty: boolean): string | null {
    if (typeof value !== 'string' || !text().safeParse(value).success) return 'is not Unicode text';
    if (value === '' && !mayBeEmpty) return 'is empty';
    try {
      assertMessageSize(value, this.maxBytes);
    } catch {
      return `is over PARLEY_MAX_MESSAGE_BYTES (${this.maxBytes})`;
    }
    return null;
  }

  private failed(source: HookSource, error: unknown): ParleyError {
    this.failures.report(MessageHookNames.beforeStore, source, error);
    return new ParleyError(ErrorCodes.Internal, 'An extension on this server failed on this message; it was not sent');
  }
}
