import { Injectable } from '@nestjs/common';
import { ErrorCodes, type IncomingWebhook, type SendMessageAck } from '@parley/contract';
import type { CreateIncomingWebhookDto, IncomingWebhookPostDto } from '@parley/contract/schemas';
import type { Actor } from '../audit/audit.service';
import { hashSessionToken } from '../auth/session-token';
import { MessageRoutingService } from '../chat/message-routing.service';
import { ParleyError } from '../common/parley-error';
import { restLane } from '../messages/rest-sender';
import type { VerifiedConnection } from '../registry/user-registry.service';
import type { IncomingWebhookRow, UserRow } from '../storage/database.types';
import { IncomingWebhookRepository, type IncomingWebhookWithBot } from '../storage/incoming-webhook.repository';
import { UserRepository } from '../storage/user.repository';
import { IncomingWebhookLimiter } from './incoming-webhook-limiter';
import { newHookToken } from './hook-token';

/** last_used_at is written at most this often per hook, so a busy hook costs no write per post. */
const TOUCH_EVERY_MS = 60_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Incoming webhooks: admins create one (a bot, a conversation, a token shown once) and revoke it;
 * a post through its URL goes through MessageRoutingService.send as the bot, to that
 * conversation only, exactly like the bot's own REST send (permission table, extensions'
 * hooks, idempotency, ack).
 */
@Injectable()
export class IncomingWebhooksService {
  constructor(
    private readonly hooks: IncomingWebhookRepository,
    private readonly users: UserRepository,
    private readonly routing: MessageRoutingService,
    private readonly limiter: IncomingWebhookLimiter,
  ) {}

  async list(): Promise<IncomingWebhook[]> {
    return (await this.hooks.list()).map(view);
  }

  /**
   * Checks now that the bot may post there (the same check every post repeats), so an admin
   * learns of a wrong conversation at once rather than from a failing script.
   */
  async create(body: CreateIncomingWebhookDto, actor: Actor): Promise<{ hook: IncomingWebhook; token: string }> {
    const bot = await this.users.findByUsername(body.bot);
    if (!bot || bot.bot !== 1 || bot.deleted_at !== null) throw new ParleyError(ErrorCodes.NotFound, `No bot named ${body.bot}`);
    await this.routing.authorizedTarget(hookSender(bot, ''), body.conversation);
    const token = newHookToken();
    const row = await this.hooks.create({
      name: body.name ?? '',
      bot_user_id: bot.id,
      conversation: body.conversation,
      token_hash: hashSessionToken(token),
      created_by: actor.username,
      created_at: Date.now(),
    });
    return { hook: view({ ...row, bot_username: bot.username }), token };
  }

  /** NOT_FOUND for no such hook or one revoked already: revoking is done once. */
  async revoke(id: number): Promise<IncomingWebhook> {
    if (!(await this.hooks.revoke(id, Date.now()))) throw new ParleyError(ErrorCodes.NotFound, `No live incoming webhook ${id}`);
    return view((await this.hooks.findById(id))!);
  }

  /**
   * A post through a hook's URL. An unknown or revoked token, or a bot disabled or deleted, is
   * NOT_FOUND: the URL is the credential, and the answer says nothing about which it was.
   */
  async post(token: string, body: IncomingWebhookPostDto, ip: string, userAgent: string): Promise<SendMessageAck> {
    const found = await this.hooks.findActive(hashSessionToken(token));
    if (!found) throw new ParleyError(ErrorCodes.NotFound, 'No incoming webhook at this URL (it may have been revoked)');
    const { hook, bot } = found;
    this.limiter.admit(hook.id);
    const ack = await this.routing.send(hookSender(bot, ip, userAgent), { message: body.text, recipients: hook.conversation, client_id: body.client_id });
    const now = Date.now();
    if (hook.last_used_at === null || now - hook.last_used_at >= TOUCH_EVERY_MS) await this.hooks.touch(hook.id, now);
    return ack;
  }
}

/**
 * The bot as MessageRoutingService's sender, in the bot's REST lane (messages/rest-sender.ts):
 * its hook posts and its REST sends keep one order and one pending limit, and `sender` is the
 * same as for its REST messages. No session: the hook's token is no sign-in.
 */
function hookSender(bot: UserRow, ip: string, userAgent = ''): VerifiedConnection {
  return {
    socketId: restLane(bot.id),
    ip,
    userAgent,
    connectedAt: new Date(),
    verification: 'VERIFIED',
    user: bot,
    claimedType: null,
    claimedName: null,
    sessionId: null,
  };
}

function view(row: IncomingWebhookRow & Pick<IncomingWebhookWithBot, 'bot_username'>): IncomingWebhook {
  return {
    id: row.id,
    name: row.name,
    bot: row.bot_username,
    conversation: row.conversation,
    created_at: iso(row.created_at)!,
    created_by: row.created_by,
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
  };
}
