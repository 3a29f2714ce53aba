import { tombstoneName } from '@parley/contract';
import { AccountActivity } from '../auth/account-activity';
import { AccountEvents, type AccountEvent } from '../auth/account-events';
import type { UserRow } from '../storage/database.types';
import { DuplicateKeyError, NoAdminLeftError } from '../storage/storage-errors';
import { userRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks, type TestService } from '../testing/new-test-service';
import { UsersService } from './users.service';

// The SQL under these decisions (unique names, the admin lock, revoking sessions) is tested on
// both databases in storage/repositories.spec.ts.
describe('UsersService', () => {
  let users: UsersService;
  let mocks: ServiceMocks;
  let get: TestService<UsersService>['get'];

  beforeEach(() => {
    ({ sut: users, mocks, get } = newTestService(UsersService));
  });

  /** The accounts the repository finds by name. */
  const stored = (...rows: UserRow[]) =>
    mocks.user.findByUsername.mockImplementation(async (name) => rows.find((row) => row.username === name));
  const taken = () => new DuplicateKeyError('users.username');

  it('creates an open account once even when two sockets claim the name at the same time', async () => {
    const twin = userRow(5, 'client', { username: 'twin', display_name: 'Twin' });
    // Neither finds the name; the second insert loses on the unique name and reads the winner.
    mocks.user.findByUsername.mockResolvedValueOnce(undefined).mockResolvedValueOnce(undefined).mockResolvedValueOnce(twin);
    mocks.user.create.mockResolvedValueOnce(twin).mockRejectedValueOnce(taken());
    const activity: string[] = [];
    get(AccountActivity).events$.subscribe(({ kind, user }) => activity.push(`${kind} ${user.username}`));
    const [a, b] = await Promise.all([
      users.findOrCreateOpenAccount('Twin', 'client'),
      users.findOrCreateOpenAccount('twin', 'client'),
    ]);
    expect(a.id).toBe(b.id);
    expect(mocks.user.create.mock.calls.map(([row]) => [row.username, row.password_hash])).toEqual([
      ['twin', null],
      ['twin', null],
    ]);
    // Created once: the account hooks hear of it once.
    expect(activity).toEqual(['created twin']);
  });

  it('answers a second create of the same name with USERNAME_TAKEN, also when racing', async () => {
    const dto = { username: 'racer', role: 'staff', password: 'racer-passphrase-9' } as const;
    mocks.user.findByUsername.mockResolvedValue(undefined);
    mocks.user.create.mockResolvedValueOnce(userRow(9, 'staff', { username: 'racer' })).mockRejectedValueOnce(taken());
    const results = await Promise.allSettled([users.create(dto), users.create(dto)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'USERNAME_TAKEN',
    });
    // Afterwards the name is known, and refused before any insert.
    await expect(users.create(dto)).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    expect(mocks.user.create).toHaveBeenCalledTimes(2);
  });

  it('keeps its cache current: a disabled user is seen as disabled at once', async () => {
    const cached = userRow(3, 'client', { username: 'cached' });
    mocks.user.findByUsername.mockResolvedValue(cached);
    expect((await users.findByUsername('cached'))?.disabled).toBe(0);
    mocks.user.update.mockResolvedValue({ ...cached, disabled: 1 });
    mocks.session.revokeAllForUser.mockResolvedValue([]);
    await users.update('cached', { disabled: true });
    expect((await users.findByUsername('cached'))?.disabled).toBe(1);
    expect(mocks.user.findByUsername).toHaveBeenCalledTimes(1);
  });

  it('signs a user out everywhere on disable, role change and password reset, not on a rename', async () => {
    const signed = userRow(4, 'staff', { username: 'signed', display_name: 'Signed' });
    stored(signed);
    mocks.user.update.mockResolvedValue(signed);
    mocks.session.revokeAllForUser.mockResolvedValue([11, 12]);
    const events: AccountEvent[] = [];
    get(AccountEvents).events$.subscribe((event) => events.push(event));
    const signsOut = async (change: () => Promise<unknown>) => {
      mocks.session.revokeAllForUser.mockClear();
      await change();
      return mocks.session.revokeAllForUser.mock.calls.length > 0;
    };
    expect(await signsOut(() => users.update('signed', { display_name: 'Renamed' }))).toBe(false);
    expect(await signsOut(() => users.update('signed', { role: 'staff' }))).toBe(false);
    expect(await signsOut(() => users.update('signed', { role: 'client' }))).toBe(true);
    expect(await signsOut(() => users.resetPassword('signed', 'signed-passphrase-9'))).toBe(true);
    expect(mocks.user.update).toHaveBeenLastCalledWith(4, { password_hash: expect.stringMatching(/^scrypt\$/) }, expect.any(Number));
    expect(await signsOut(() => users.update('signed', { disabled: true }))).toBe(true);
    expect(mocks.session.revokeAllForUser).toHaveBeenCalledWith(4, expect.any(Number));
    // The socket edge tells the sessions' and the user's sockets why, then closes them.
    expect(events).toEqual([
      { kind: 'user-changed', userId: 4, sessionIds: [11, 12], reason: 'role_changed' },
      { kind: 'user-changed', userId: 4, sessionIds: [11, 12], reason: 'password_reset' },
      { kind: 'user-changed', userId: 4, sessionIds: [11, 12], reason: 'disabled' },
    ]);
  });

  it('refuses to delete the last enabled admin, whoever asks', async () => {
    const admin = userRow(1, 'admin', { username: 'admin' });
    const second = userRow(2, 'admin', { username: 'second-admin' });
    // Only reachable when the asker is not that admin, e.g. a custom capability table.
    const asker = userRow(3, 'staff', { username: 'asker' });
    stored(admin, second);
    mocks.user.countEnabledAdmins.mockResolvedValue(1);
    await expect(users.delete('admin', asker)).rejects.toMatchObject({ code: 'LAST_ADMIN' });

    mocks.user.countEnabledAdmins.mockResolvedValue(2);
    mocks.user.softDelete.mockResolvedValueOnce({ ...second, username: tombstoneName(2), disabled: 1, deleted_at: 5 });
    mocks.session.revokeAllForUser.mockResolvedValue([]);
    await expect(users.delete('second-admin', asker)).resolves.toEqual(second);
    // Re-counted in the deleting transaction, for an admin removed since this count.
    expect(mocks.user.softDelete).toHaveBeenCalledWith(2, tombstoneName(2), expect.any(Number), true);
    stored(admin);
    expect(await users.findByUsername('second-admin')).toBeUndefined();

    mocks.user.softDelete.mockRejectedValueOnce(new NoAdminLeftError());
    await expect(users.delete('admin', asker)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    mocks.user.countEnabledAdmins.mockResolvedValue(1);
    await expect(users.delete('admin', asker)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    expect(mocks.user.softDelete).toHaveBeenCalledTimes(2);
  });

  it('tells the account hooks of a disable once: when the account goes from enabled to disabled', async () => {
    const sam = userRow(8, 'staff', { username: 'sam' });
    stored(sam);
    mocks.user.update.mockImplementation(async (_id, change) => ({ ...sam, disabled: change.disabled ? 1 : 0 }));
    mocks.session.revokeAllForUser.mockResolvedValue([]);
    const activity: string[] = [];
    get(AccountActivity).events$.subscribe(({ kind, user }) => activity.push(`${kind} ${user.username}`));
    await users.update('sam', { disabled: true });
    await users.update('sam', { disabled: true });
    expect(activity).toEqual(['disabled sam']);
  });

  it('refuses open-mode accounts beyond the allowance only for new names', async () => {
    let allowance = 1;
    const admit = () => {
      if (allowance-- <= 0) throw new Error('over the allowance');
    };
    mocks.user.findByUsername.mockResolvedValue(undefined);
    mocks.user.create.mockImplementation(async (row) => userRow(6, row.role, { username: row.username, display_name: row.display_name }));
    await users.findOrCreateOpenAccount('Fresh One', 'client', admit);
    await expect(users.findOrCreateOpenAccount('Fresh Two', 'client', admit)).rejects.toThrow('over the allowance');
    await expect(users.findOrCreateOpenAccount('fresh one', 'client', admit)).resolves.toMatchObject({ username: 'fresh-one' });
    expect(mocks.user.create).toHaveBeenCalledTimes(1);
  });

  it('never hands a bot to open mode, and never gives one a password or lets it rename itself', async () => {
    // A bot has no password, like an open-mode account: without the check, anyone could claim its name.
    const relay = userRow(9, 'staff', { username: 'relay', bot: 1 });
    stored(relay);
    await expect(users.findOrCreateOpenAccount('relay', 'staff')).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
    await expect(users.resetPassword('relay', 'a long enough passphrase 42')).rejects.toMatchObject({ code: 'BOT_ACCOUNT' });
    await expect(users.changeOwnPassword(relay, null, '', 'a long enough passphrase 42')).rejects.toMatchObject({ code: 'BOT_ACCOUNT' });
    await expect(users.changeOwnDisplayName(relay, 'Human')).rejects.toMatchObject({ code: 'BOT_ACCOUNT' });
    expect(mocks.user.create).not.toHaveBeenCalled();
    expect(mocks.user.update).not.toHaveBeenCalled();
  });

  it('trusts a cached account for a few seconds only, so a change made outside the server shows', async () => {
    const outside = userRow(7, 'staff', { username: 'outside' });
    mocks.user.findByUsername.mockResolvedValueOnce(outside);
    expect((await users.findByUsername('outside'))!.disabled).toBe(0);
    // As `npm run admin` does: straight to the database, with no change notice.
    mocks.user.findByUsername.mockResolvedValue({ ...outside, disabled: 1 });
    expect((await users.findByUsername('outside'))!.disabled).toBe(0);
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 60_000);
    try {
      expect((await users.findByUsername('outside'))!.disabled).toBe(1);
    } finally {
      clock.mockRestore();
    }
  });

  describe('keeping an enabled admin', () => {
    const admin = userRow(1, 'admin', { username: 'admin' });
    const boss = userRow(8, 'admin', { username: 'boss' });

    it('refuses an admin disabling or demoting themselves with SELF_CHANGE', async () => {
      stored(boss);
      await expect(users.update('boss', { disabled: true }, boss)).rejects.toMatchObject({ code: 'SELF_CHANGE' });
      await expect(users.update('boss', { role: 'staff' }, boss)).rejects.toMatchObject({ code: 'SELF_CHANGE' });
      mocks.user.update.mockResolvedValue({ ...boss, display_name: 'The Boss' });
      expect(await users.update('boss', { display_name: 'The Boss' }, boss)).toMatchObject({ display_name: 'The Boss' });
    });

    it('refuses disabling or demoting the last enabled admin with LAST_ADMIN, also when two race', async () => {
      stored(admin, boss);
      // Each demotes the other at once: both count two admins, the repository lets one through.
      mocks.user.countEnabledAdmins.mockResolvedValue(2);
      mocks.user.updateKeepingAnAdmin.mockResolvedValueOnce({ ...boss, role: 'staff' }).mockRejectedValueOnce(new NoAdminLeftError());
      mocks.session.revokeAllForUser.mockResolvedValue([]);
      const results = await Promise.allSettled([
        users.update('boss', { role: 'staff' }, admin),
        users.update('admin', { role: 'staff' }, boss),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'LAST_ADMIN' });
      mocks.user.countEnabledAdmins.mockResolvedValue(1);
      await expect(users.update('admin', { disabled: true })).rejects.toMatchObject({ code: 'LAST_ADMIN' });
      expect(mocks.user.updateKeepingAnAdmin).toHaveBeenCalledTimes(2);
    });

    it('lets a disabled admin be demoted, and an admin go once another is enabled', async () => {
      const second = userRow(9, 'admin', { username: 'second', disabled: 1 });
      // Not an enabled admin: nothing to count (an unstubbed countEnabledAdmins would fail this).
      await expect(users.assertKeepsAnAdmin(second, { deleted: true })).resolves.toBe(false);
      stored(admin, second);
      mocks.user.update.mockResolvedValue({ ...second, role: 'staff' });
      mocks.session.revokeAllForUser.mockResolvedValue([]);
      expect(await users.update('second', { role: 'staff' })).toMatchObject({ role: 'staff' });
      mocks.user.countEnabledAdmins.mockResolvedValue(2);
      mocks.user.updateKeepingAnAdmin.mockResolvedValue({ ...admin, disabled: 1 });
      expect(await users.update('admin', { disabled: true })).toMatchObject({ disabled: 1 });
      expect(mocks.user.updateKeepingAnAdmin).toHaveBeenCalledWith(1, { disabled: true }, expect.any(Number));
    });
  });
});
