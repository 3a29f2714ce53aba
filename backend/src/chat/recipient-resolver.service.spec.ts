import { MessageRoutingService } from './message-routing.service';
import { RecipientResolver } from './recipient-resolver.service';
import { createChatTestContext, type ChatTestContext } from './testing/chat-test-module';
import { UsersService } from '../users/users.service';
import { UserRegistryService } from '../registry/user-registry.service';

describe('RecipientResolver', () => {
  let ctx: ChatTestContext;
  let resolver: RecipientResolver;

  beforeAll(async () => {
    ctx = await createChatTestContext();
    resolver = ctx.module.get(RecipientResolver);
  });
  afterAll(() => ctx.close());

  const send = { allowSocketId: true };

  it('reads every group form', async () => {
    for (const form of ['staff', 'group:staff']) {
      expect(await resolver.resolve(form, send)).toEqual({ kind: 'group', group: 'staff' });
    }
    await expect(resolver.resolve('group:managers', send)).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
  });

  it('reads user names, bare or prefixed, in any case', async () => {
    await ctx.connectUser('bea', 'staff');
    for (const form of ['bea', 'user:bea', 'BEA']) {
      expect(await resolver.resolve(form, send)).toMatchObject({ kind: 'user', user: { username: 'bea' } });
    }
  });

  it('prefers the group for a bare role name, so a user named like a role needs user:', async () => {
    expect(await resolver.resolve('admin', send)).toEqual({ kind: 'group', group: 'admin' });
    expect(await resolver.resolve('user:admin', send)).toMatchObject({ kind: 'user', user: { username: 'admin' } });
  });

  it('maps a connected socket id, and one that has gone but sent messages, to its user', async () => {
    const bea = await ctx.connectUser('bea', 'staff', 'bea-laptop');
    expect(await resolver.resolve('bea-laptop', send)).toMatchObject({ user: { username: 'bea' } });
    await ctx.module.get(MessageRoutingService).send(bea, { message: 'hi', recipients: 'admin' });
    ctx.module.get(UserRegistryService).disconnect('bea-laptop');
    expect(await resolver.resolve('bea-laptop', send)).toMatchObject({ user: { username: 'bea' } });
    await expect(resolver.resolve('bea-laptop', { allowSocketId: false })).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
  });

  it('refuses a disabled user as a recipient but finds them for reading history', async () => {
    await ctx.connectUser('gone', 'client');
    await ctx.module.get(UsersService).update('gone', { disabled: true });
    await expect(resolver.resolve('gone', send)).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
    expect(await resolver.resolve('gone', { allowSocketId: false, allowDisabled: true })).toMatchObject({
      user: { username: 'gone' },
    });
  });
});
