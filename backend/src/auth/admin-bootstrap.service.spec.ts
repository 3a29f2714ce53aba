import { loadPasswordChecker } from '@parley/contract';
import { DuplicateKeyError } from '../storage/storage-errors';
import { userRow } from '../storage/testing/fixtures';
import { newTestService } from '../testing/new-test-service';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { PasswordService } from './password.service';

describe('AdminBootstrapService', () => {
  const node = (env: Record<string, string> = {}) => newTestService(AdminBootstrapService, { env });

  it('creates admin on the first start, with a generated password to show once', async () => {
    const first = node();
    first.mocks.user.count.mockResolvedValue(0);
    first.mocks.user.create.mockResolvedValue(userRow(1, 'admin', { username: 'admin' }));
    await first.sut.onApplicationBootstrap();
    expect(first.sut.generatedPassword).toMatch(/^[\w-]{16}$/);
    expect((await loadPasswordChecker())(first.sut.generatedPassword!, ['admin', 'Administrator']).ok).toBe(true);
    const [[created]] = first.mocks.user.create.mock.calls;
    expect(created).toMatchObject({ username: 'admin', display_name: 'Administrator', role: 'admin' });
    expect(await new PasswordService().verify(first.sut.generatedPassword!, created.password_hash!)).toBe(true);

    // Any account at all means this is not the first start (create is left unstubbed).
    const again = node();
    again.mocks.user.count.mockResolvedValue(1);
    await again.sut.onApplicationBootstrap();
    expect(again.sut.generatedPassword).toBeNull();
  });

  it('refuses to start with a PARLEY_ADMIN_PASSWORD that is easy to guess, saying why', async () => {
    const { sut, mocks } = node({ PARLEY_ADMIN_PASSWORD: 'password' });
    mocks.user.count.mockResolvedValue(0);
    await expect(sut.onApplicationBootstrap()).rejects.toThrow(/PARLEY_ADMIN_PASSWORD is too easy to guess: .*heavily used password/);
    expect(mocks.user.create).not.toHaveBeenCalled();
  });

  it('creates admin with PARLEY_ADMIN_PASSWORD when given, showing no password', async () => {
    const { sut, mocks } = node({ PARLEY_ADMIN_PASSWORD: 'shared-admin-password' });
    mocks.user.count.mockResolvedValue(0);
    mocks.user.create.mockResolvedValue(userRow(1, 'admin', { username: 'admin' }));
    await sut.onApplicationBootstrap();
    expect(sut.generatedPassword).toBeNull();
    const [[created]] = mocks.user.create.mock.calls;
    expect(await new PasswordService().verify('shared-admin-password', created.password_hash!)).toBe(true);
  });

  it('starts without error when another node created admin first (several nodes on an empty database)', async () => {
    // The unique name makes the losers' inserts fail (storage/repositories.spec.ts).
    const { sut, mocks } = node({ PARLEY_ADMIN_PASSWORD: 'shared-admin-password' });
    mocks.user.count.mockResolvedValue(0);
    mocks.user.create.mockRejectedValue(new DuplicateKeyError('users.username'));
    await expect(sut.onApplicationBootstrap()).resolves.toBeUndefined();
    expect(mocks.user.create).toHaveBeenCalledTimes(1);
  });
});
