import { Injectable } from '@nestjs/common';
import { type ConversationKind, MENTION_CHANNEL, MENTION_HERE, mentionedNames } from '@parley/contract';
import { PermissionPolicy, type PolicyUser } from '../permissions/permission-policy';
import { UsersService } from '../users/users.service';

/**
 * Names looked up per message at most. Each unknown name is a database read (the users cache
 * keeps only accounts that exist), so a message of a thousand @words must not cost a thousand.
 */
export const MENTIONS_MAX = 20;

/**
 * Which @mentions of a message count: names of enabled accounts the sender may message (so a
 * mention never confirms an account the sender could not reach, e.g. another client), and
 * '@here'/'@channel' where there is more than one other person to reach.
 */
@Injectable()
export class MentionsService {
  constructor(
    private readonly users: UsersService,
    private readonly policy: PermissionPolicy,
  ) {}

  async of(sender: PolicyUser, text: string, kind: ConversationKind): Promise<string[]> {
    // The common message mentions no one: no parsing, no lookups.
    if (!text.includes('@')) return [];
    const mentions: string[] = [];
    for (const name of mentionedNames(text).slice(0, MENTIONS_MAX)) {
      if (name === 'here' || name === 'channel') {
        if (kind !== 'user') mentions.push(name === 'here' ? MENTION_HERE : MENTION_CHANNEL);
        continue;
      }
      if (name === sender.username) continue;
      const user = await this.users.findByUsername(name);
      if (user && !user.disabled && this.policy.canSendToUser(sender, user)) mentions.push(user.username);
    }
    return mentions;
  }
}
