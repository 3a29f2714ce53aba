import { AuthService } from '../auth/auth.service';
import { createChatTestContext, type ChatTestContext } from '../chat/testing/chat-test-module';
import { UserRepository } from '../storage/user.repository';
import { UsersService } from './users.service';

describe('UsersService', () => {
  let ctx: ChatTestContext;
  let users: UsersService;

  beforeAll(async () => {
    ctx = await createChatTestContext({ PARLEY_AUTH: 'open' });
    users = ctx.module.get(UsersService);
  });
  afterAll(() => ctx.close());

  it('creates an open account once even when two sockets claim the name at the same time', async () => {
    const [a, b] = await Promise.all([
      users.findOrCreateOpenAccount('Twin', 'client'),
      users.findOrCreateOpenAccount('twin', 'client'),
    ]);
    expect(a.id).toBe(b.id);
    expect((await ctx.module.get(UserRepository).page({ limit: 10, search: 'twin' })).filter((u) => u.username === 'twin')).toHaveLength(1);
  });

  it('answers a second create of the same name with USERNAME_TAKEN, also when racing', async () => {
    const results = await Promise.allSettled([
      users.create({ username: 'racer', role: 'staff', password: 'racer-password' }),
      users.create({ username: 'racer', role: 'staff', password: 'racer-password' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'USERNAME_TAKEN',
    });
  });

  it('keeps its cache current: a disabled user is seen as disabled at once', async () => {
    await users.create({ username: 'cached', role: 'client', password: 'cached-password' });
    expect((await users.findByUsername('cached'))?.disabled).toBe(0);
    await users.update('cached', { disabled: true });
    expect((await users.findByUsername('cached'))?.disabled).toBe(1);
  });

  it('signs a user out everywhere on disable, role change and password reset, not on a rename', async () => {
    const auth = ctx.module.get(AuthService);
    await users.create({ username: 'signed', role: 'staff', password: 'signed-password' });
    const live = async () => (await auth.authenticate((await auth.login('signed', 'signed-password')).token)) !== null;
    const check = async (change: () => Promise<unknown>) => {
      const { token } = await auth.login('signed', 'signed-password');
      await change();
      return (await auth.authenticate(token)) !== null;
    };
    expect(await live()).toBe(true);
    expect(await check(() => users.update('signed', { display_name: 'Renamed' }))).toBe(true);
    expect(await check(() => users.update('signed', { role: 'client' }))).toBe(false);
    expect(await check(() => users.resetPassword('signed', 'signed-password'))).toBe(false);
    expect(await check(() => users.update('signed', { disabled: true }))).toBe(false);
  });

  it('refuses to delete the last enabled admin, whoever asks', async () => {
    const repository = ctx.module.get(UserRepository);
    const admins = (await repository.page({ limit: 500 })).filter((u) => u.role === 'admin' && !u.disabled);
    expect(admins).toHaveLength(1);
    // Only reachable when the asker is not that admin, e.g. a custom capability table.
    const asker = await users.create({ username: 'asker', role: 'staff', password: 'asker-password' });
    await expect(users.delete(admins[0].username, asker)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    await users.create({ username: 'second-admin', role: 'admin', password: 'second-password' });
    await users.delete(admins[0].username, asker);
    await expect(users.delete('second-admin', asker)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
  });

  it('refuses open-mode accounts beyond the allowance only for new names', async () => {
    let allowance = 1;
    const admit = () => {
      if (allowance-- <= 0) throw new Error('over the allowance');
    };
    await users.findOrCreateOpenAccount('Fresh One', 'client', admit);
    await expect(users.findOrCreateOpenAccount('Fresh Two', 'client', admit)).rejects.toThrow('over the allowance');
    await expect(users.findOrCreateOpenAccount('fresh one', 'client', admit)).resolves.toMatchObject({ username: 'fresh-one' });
  });
});
