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
      users.create({ username: 'racer', role: 'staff', password: 'racer-passphrase-9' }),
      users.create({ username: 'racer', role: 'staff', password: 'racer-passphrase-9' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'USERNAME_TAKEN',
    });
  });

  it('keeps its cache current: a disabled user is seen as disabled at once', async () => {
    await users.create({ username: 'cached', role: 'client', password: 'cached-passphrase-9' });
    expect((await users.findByUsername('cached'))?.disabled).toBe(0);
    await users.update('cached', { disabled: true });
    expect((await users.findByUsername('cached'))?.disabled).toBe(1);
  });

  it('signs a user out everywhere on disable, role change and password reset, not on a rename', async () => {
    const auth = ctx.module.get(AuthService);
    await users.create({ username: 'signed', role: 'staff', password: 'signed-passphrase-9' });
    const live = async () => (await auth.authenticate((await auth.login('signed', 'signed-passphrase-9', '127.0.0.1')).token)) !== null;
    const check = async (change: () => Promise<unknown>) => {
      const { token } = await auth.login('signed', 'signed-passphrase-9', '127.0.0.1');
      await change();
      return (await auth.authenticate(token)) !== null;
    };
    expect(await live()).toBe(true);
    expect(await check(() => users.update('signed', { display_name: 'Renamed' }))).toBe(true);
    expect(await check(() => users.update('signed', { role: 'client' }))).toBe(false);
    expect(await check(() => users.resetPassword('signed', 'signed-passphrase-9'))).toBe(false);
    expect(await check(() => users.update('signed', { disabled: true }))).toBe(false);
  });

  it('refuses to delete the last enabled admin, whoever asks', async () => {
    const repository = ctx.module.get(UserRepository);
    const admins = (await repository.page({ limit: 500 })).filter((u) => u.role === 'admin' && !u.disabled);
    expect(admins).toHaveLength(1);
    // Only reachable when the asker is not that admin, e.g. a custom capability table.
    const asker = await users.create({ username: 'asker', role: 'staff', password: 'asker-passphrase-9' });
    await expect(users.delete(admins[0].username, asker)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    await users.create({ username: 'second-admin', role: 'admin', password: 'second-passphrase-9' });
    await users.delete('second-admin', asker);
    await expect(users.delete(admins[0].username, asker)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
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

  it('trusts a cached account for a few seconds only, so a change made outside the server shows', async () => {
    await users.create({ username: 'outside', role: 'staff', password: 'outside-passphrase-9' });
    expect((await users.findByUsername('outside'))!.disabled).toBe(0);
    // As `npm run admin` does: straight to the database, with no change notice.
    const repository = ctx.module.get(UserRepository);
    await repository.update((await repository.findByUsername('outside'))!.id, { disabled: true }, Date.now());
    expect((await users.findByUsername('outside'))!.disabled).toBe(0);
    const later = Date.now() + 60_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      expect((await users.findByUsername('outside'))!.disabled).toBe(1);
    } finally {
      jest.restoreAllMocks();
    }
  });

  describe('keeping an enabled admin', () => {
    it('refuses an admin disabling or demoting themselves with SELF_CHANGE', async () => {
      const boss = await users.create({ username: 'boss', role: 'admin', password: 'boss-passphrase-9' });
      await expect(users.update('boss', { disabled: true }, boss)).rejects.toMatchObject({ code: 'SELF_CHANGE' });
      await expect(users.update('boss', { role: 'staff' }, boss)).rejects.toMatchObject({ code: 'SELF_CHANGE' });
      expect(await users.update('boss', { display_name: 'The Boss' }, boss)).toMatchObject({ display_name: 'The Boss' });
    });

    it('refuses disabling or demoting the last enabled admin with LAST_ADMIN, also when two race', async () => {
      const admin = (await users.findByUsername('admin'))!;
      const boss = (await users.findByUsername('boss'))!;
      // Each demotes the other at once: one must win, one must be refused.
      const results = await Promise.allSettled([
        users.update('boss', { role: 'staff' }, admin),
        users.update('admin', { role: 'staff' }, boss),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'LAST_ADMIN' });
      const [left] = (await ctx.module.get(UserRepository).page({ limit: 500 })).filter((u) => u.role === 'admin' && !u.disabled);
      await expect(users.update(left.username, { disabled: true })).rejects.toMatchObject({ code: 'LAST_ADMIN' });
      expect(await ctx.module.get(UserRepository).countEnabledAdmins()).toBe(1);
    });

    it('lets a disabled admin be demoted, and an admin go once another is enabled', async () => {
      const admins = (await ctx.module.get(UserRepository).page({ limit: 500 })).filter((u) => u.role === 'admin' && !u.disabled);
      await users.create({ username: 'second', role: 'admin', password: 'second-passphrase-9' });
      await users.update('second', { disabled: true });
      await expect(users.assertKeepsAnAdmin((await users.findByUsername('second'))!, { deleted: true })).resolves.toBe(false);
      await users.update('second', { disabled: false });
      expect(await users.update(admins[0].username, { disabled: true })).toMatchObject({ disabled: 1 });
    });
  });
});
