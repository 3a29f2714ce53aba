import { AuthService, type AuthContext } from '../auth/auth.service';
import { SessionRepository } from '../storage/session.repository';
import { UserRegistryService } from '../registry/user-registry.service';
import { UsersService } from '../users/users.service';
import { createChatTestContext, type ChatTestContext } from './testing/chat-test-module';
import { VerificationService } from './verification.service';

describe.each(['password', 'open'] as const)('VerificationService with PARLEY_AUTH=%s', (mode) => {
  let ctx: ChatTestContext;
  let verification: VerificationService;
  let registry: UserRegistryService;
  let staffSession: AuthContext;
  let n = 0;

  beforeAll(async () => {
    ctx = await createChatTestContext({ PARLEY_AUTH: mode });
    verification = ctx.module.get(VerificationService);
    registry = ctx.module.get(UserRegistryService);
    await ctx.module.get(UsersService).create({ username: 'rita', role: 'staff', password: 'rita-passphrase-9' });
    const { token } = await ctx.module.get(AuthService).login('rita', 'rita-passphrase-9', '127.0.0.1');
    staffSession = (await ctx.module.get(AuthService).authenticate(token))!;
  });
  afterAll(() => ctx.close());

  const socket = () => {
    const id = `s${++n}`;
    registry.connect({ socketId: id, ip: '10.0.0.1', userAgent: 'spec', sessionId: null });
    return id;
  };

  it('accepts exactly the session\'s role and name (name case-insensitively)', async () => {
    const id = socket();
    const verified = await verification.verify(id, staffSession, { user_type: 'staff', user_name: 'RITA' });
    expect(verified.user.username).toBe('rita');
    expect(registry.getVerified(id)).toBeDefined();
  });

  it.each([
    ['admin', 'rita'],
    ['staff', 'someone-else'],
    ['client', 'rita'],
  ])('refuses %s/%s from rita\'s session and marks the socket NOT AUTHORISED', async (type, name) => {
    const id = socket();
    await expect(verification.verify(id, staffSession, { user_type: type, user_name: name })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
    });
    expect(registry.get(id)).toMatchObject({ verification: 'NOT AUTHORISED', user: null, claimedType: type });
  });

  it('refuses a session that ended after the socket connected', async () => {
    const { token } = await ctx.module.get(AuthService).login('rita', 'rita-passphrase-9', '127.0.0.1');
    const session = (await ctx.module.get(AuthService).authenticate(token))!;
    await ctx.module.get(SessionRepository).revoke(session.sessionId!, Date.now());
    await expect(verification.verify(socket(), session, { user_type: 'staff', user_name: 'rita' })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
    });
  });

  it('never grants admin without a session', async () => {
    await expect(verification.verify(socket(), null, { user_type: 'admin', user_name: 'admin' })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
    });
  });

  it(mode === 'open' ? 'creates a passwordless staff account on first use' : 'refuses staff without a session', async () => {
    const attempt = verification.verify(socket(), null, { user_type: 'staff', user_name: 'newbie' });
    if (mode === 'open') await expect(attempt).resolves.toMatchObject({ user: { username: 'newbie', role: 'staff', password_hash: null } });
    else await expect(attempt).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
  });

  it('never hands out a password account without its session', async () => {
    await expect(verification.verify(socket(), null, { user_type: 'staff', user_name: 'rita' })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
    });
  });
});
