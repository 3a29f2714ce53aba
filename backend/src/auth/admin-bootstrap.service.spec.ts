import { AppConfig } from '../config/app-config';
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from '../storage/testing/test-databases';
import { UserRepository } from '../storage/user.repository';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { loadPasswordChecker } from '@parley/contract';
import { PasswordPolicy } from './password-policy.service';
import { PasswordService } from './password.service';

describe.each(TEST_DIALECTS)('AdminBootstrapService on %s', (dialect) => {
  let testDb: TestDatabase;
  beforeEach(async () => {
    testDb = await openTestDatabase(dialect);
  });
  afterEach(() => testDb.dispose());

  const node = (env: Record<string, string> = {}) =>
    new AdminBootstrapService(new UserRepository(testDb.database), new PasswordService(), new PasswordPolicy(), AppConfig.fromEnv(env));

  it('creates admin on the first start, with a generated password to show once', async () => {
    const first = node();
    await first.onApplicationBootstrap();
    expect(first.generatedPassword).toMatch(/^[\w-]{16}$/);
    expect((await loadPasswordChecker())(first.generatedPassword!, ['admin', 'Administrator']).ok).toBe(true);
    const again = node();
    await again.onApplicationBootstrap();
    expect(again.generatedPassword).toBeNull();
    expect(await new UserRepository(testDb.database).count()).toBe(1);
  });

  it('refuses to start with a PARLEY_ADMIN_PASSWORD that is easy to guess, saying why', async () => {
    await expect(node({ PARLEY_ADMIN_PASSWORD: 'password' }).onApplicationBootstrap()).rejects.toThrow(
      /PARLEY_ADMIN_PASSWORD is too easy to guess: .*heavily used password/,
    );
    expect(await new UserRepository(testDb.database).count()).toBe(0);
  });

  it('lets several nodes start at once on an empty database: one creates admin, none fails', async () => {
    const nodes = Array.from({ length: 4 }, () => node({ PARLEY_ADMIN_PASSWORD: 'shared-admin-password' }));
    await expect(Promise.all(nodes.map((n) => n.onApplicationBootstrap()))).resolves.toBeDefined();
    const admin = await new UserRepository(testDb.database).findByUsername('admin');
    expect(admin).toMatchObject({ role: 'admin' });
    expect(await new UserRepository(testDb.database).count()).toBe(1);
  });
});
