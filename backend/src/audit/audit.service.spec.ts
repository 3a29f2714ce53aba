import { validateEnv } from '../config/env.schema';
import { recordableSettings } from './audit.service';

describe('recordableSettings', () => {
  it('records secrets, and URLs that may carry one, only as set or unset', () => {
    const settings = recordableSettings(
      validateEnv({
        PARLEY_ADMIN_PASSWORD: 'admin-secret-1',
        PARLEY_DATABASE_URL: 'postgres://parley:db-secret@db:5432/parley',
        PARLEY_REDIS_URL: 'redis://:redis-secret@cache:6379',
      }),
    );
    expect(settings).toMatchObject({ PARLEY_ADMIN_PASSWORD: 'set', PARLEY_DATABASE_URL: 'set', PARLEY_REDIS_URL: 'set' });
    expect(JSON.stringify(settings)).not.toMatch(/secret/);
    expect(recordableSettings(validateEnv({})).PARLEY_REDIS_URL).toBe('unset');
  });
});
