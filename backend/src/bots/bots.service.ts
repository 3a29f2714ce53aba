import { Injectable } from '@nestjs/common';
import { ErrorCodes, normalizeUsername } from '@parley/contract';
import type { Bot, CreateBotDto } from '@parley/contract/schemas';
import { AccountActivity } from '../auth/account-activity';
import { AccountEvents } from '../auth/account-events';
import { hashSessionToken } from '../auth/session-token';
import { newBotToken } from '../auth/bot-token';
import { ParleyError } from '../common/parley-error';
import { BotRepository, type NewBotToken } from '../storage/bot.repository';
import type { UserRow } from '../storage/database.types';
import { DuplicateKeyError } from '../storage/storage-errors';
import { UsersService } from '../users/users.service';
import { toBot } from './bot.mapper';

/** A bot and, right after creation or rotation, its token: the one time the token is shown. */
export interface BotWithSecret {
  bot: Bot;
  token: string;
}

/**
 * Bot accounts and their API tokens. A bot is a user row (UsersService's disable, role change and
 * delete apply to it as to anyone); what is its own is the token: one live token at a time,
 * shown once, replaced (rotate) or taken away (revoke), either of which closes every socket
 * that connected with the old one.
 */
@Injectable()
export class BotsService {
  constructor(
    private readonly bots: BotRepository,
    private readonly users: UsersService,
    private readonly events: AccountEvents,
    private readonly activity: AccountActivity,
  ) {}

  async list(): Promise<Bot[]> {
    return (await this.bots.list()).map(toBot);
  }

  async create(dto: CreateBotDto, actor: UserRow): Promise<BotWithSecret> {
    const taken = () => new ParleyError(ErrorCodes.UsernameTaken, `The user name ${dto.username} is taken`);
    if (await this.users.findByUsername(dto.username)) throw taken();
    const secret = newBotToken();
    const now = Date.now();
    try {
      const created = await this.bots.create(
        { username: dto.username, display_name: dto.display_name ?? dto.username, role: dto.role, created_at: now, updated_at: now },
        tokenRow(secret, actor, now),
      );
      // An account was created: extensions' account hooks hear of a bot as of a person.
      this.activity.emit('created', created.user);
      return { bot: toBot(created), token: secret };
    } catch (error) {
      // Two admins created the same name at once.
      if (error instanceof DuplicateKeyError) throw taken();
      throw error;
    }
  }

  /** A new token; the old one stops working and its sockets close. */
  async rotate(username: string, actor: UserRow): Promise<BotWithSecret> {
    const user = await this.require(username);
    const secret = newBotToken();
    const { token, revoked } = await this.bots.rotate(user.id, tokenRow(secret, actor, Date.now()));
    this.closeSockets(revoked);
    return { bot: toBot({ user, token }), token: secret };
  }

  /** The bot keeps its account and messages but has no working token until one is rotated in. */
  async revoke(username: string): Promise<Bot> {
    const user = await this.require(username);
    this.closeSockets(await this.bots.revoke(user.id, Date.now()));
    return toBot({ user, token: null });
  }

  private closeSockets(tokenIds: number[]): void {
    if (tokenIds.length > 0) this.events.emit({ kind: 'bot-tokens-revoked', tokenIds, reason: 'token_revoked' });
  }

  /** A bot by name; a person's account is answered as no bot at all. */
  private async require(username: string): Promise<UserRow> {
    const user = await this.users.findByUsername(username);
    if (!user?.bot) throw new ParleyError(ErrorCodes.NotFound, `No bot named ${normalizeUsername(username)}`);
    return user;
  }
}

function tokenRow(secret: string, actor: UserRow, now: number): NewBotToken {
  return { token_hash: hashSessionToken(secret), created_at: now, created_by: actor.username };
}
