import type { AuthContext } from '../auth/auth.service';
import { UserRegistryService } from '../registry/user-registry.service';
import { userRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks } from '../testing/new-test-service';
import { VerificationService } from './verification.service';

describe.each(['password', 'open'] as const)('VerificationService with PARLEY_AUTH=%s', (mode) => {
  let verification: VerificationService;
  let registry: UserRegistryService;
  let mocks: ServiceMocks;
  let n = 0;

  const rita = userRow(4, 'staff', { username: 'rita', password_hash: 'scrypt$hash' });
  const staffSession: AuthContext = { user: rita, sessionId: 40, expiresAt: Date.now() + 3_600_000, botTokenId: null };

  beforeEach(() => {
    const service = newTestService(VerificationService, { env: { PARLEY_AUTH: mode } });
    ({ sut: verification, mocks } = service);
    registry = service.get(UserRegistryService);
  });

  const socket = () => {
    const id = `s${++n}`;
    registry.connect({ socketId: id, ip: '10.0.0.1', userAgent: 'spec', sessionId: null });
    return id;
  };

  it("accepts exactly the session's role and name (name case-insensitively)", async () => {
    mocks.session.isActive.mockResolvedValue(true);
    const id = socket();
    const verified = await verification.verify(id, staffSession, { user_type: 'staff', user_name: 'RITA' });
    expect(verified.user.username).toBe('rita');
    expect(registry.getVerified(id)).toBeDefined();
    expect(mocks.session.isActive).toHaveBeenCalledWith(40, expect.any(Number));
  });

  it.each([
    ['admin', 'rita'],
    ['staff', 'someone-else'],
    ['client', 'rita'],
  ])("refuses %s/%s from rita's session and marks the socket NOT AUTHORISED", async (type, name) => {
    mocks.session.isActive.mockResolvedValue(true);
    const id = socket();
    await expect(verification.verify(id, staffSession, { user_type: type, user_name: name })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
    });
    expect(registry.get(id)).toMatchObject({ verification: 'NOT AUTHORISED', user: null, claimedType: type });
  });

  it('refuses a session that ended after the socket connected', async () => {
    mocks.session.isActive.mockResolvedValue(false);
    await expect(verification.verify(socket(), staffSession, { user_type: 'staff', user_name: 'rita' })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
    });
  });

  it("accepts a bot's live token as the bot, and refuses it once rotated out, revoked or the bot disabled", async () => {
    const relay = userRow(9, 'staff', { username: 'relay', bot: 1 });
    const byToken: AuthContext = { user: relay, sessionId: null, expiresAt: null, botTokenId: 70 };
    mocks.bot.isActive.mockResolvedValueOnce(true).mockResolvedValueOnce(false);
    mocks.user.findById.mockResolvedValue(relay);
    await expect(verification.verify(socket(), byToken, { user_type: 'staff', user_name: 'relay' })).resolves.toMatchObject({ user: { username: 'relay' } });
    await expect(verification.verify(socket(), byToken, { user_type: 'staff', user_name: 'relay' })).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
    expect(mocks.bot.isActive).toHaveBeenCalledWith(70);
  });

  it("verifies a bot by its role today, not the one it had when its socket connected", async () => {
    const relayThen = userRow(9, 'admin', { username: 'relay', bot: 1 });
    const byToken: AuthContext = { user: relayThen, sessionId: null, expiresAt: null, botTokenId: 70 };
    mocks.bot.isActive.mockResolvedValue(true);
    // Demoted by an admin while the socket waited to verify: the token still works.
    mocks.user.findById.mockResolvedValue({ ...relayThen, role: 'client' });
    await expect(verification.verify(socket(), byToken, { user_type: 'admin', user_name: 'relay' })).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
    await expect(verification.verify(socket(), byToken, { user_type: 'client', user_name: 'relay' })).resolves.toMatchObject({ user: { role: 'client' } });
    mocks.user.findById.mockResolvedValue({ ...relayThen, role: 'client', disabled: 1 });
    await expect(verification.verify(socket(), byToken, { user_type: 'client', user_name: 'relay' })).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
  });

  it('never grants admin without a session', async () => {
    await expect(verification.verify(socket(), null, { user_type: 'admin', user_name: 'admin' })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
    });
  });

  it(mode === 'open' ? 'creates a passwordless staff account on first use' : 'refuses staff without a session', async () => {
    if (mode === 'open') {
      mocks.user.findByUsername.mockResolvedValue(undefined);
      mocks.user.create.mockImplementation(async (row) => userRow(5, row.role, { username: row.username, password_hash: row.password_hash }));
    }
    const attempt = verification.verify(socket(), null, { user_type: 'staff', user_name: 'newbie' });
    if (mode === 'open') await expect(attempt).resolves.toMatchObject({ user: { username: 'newbie', role: 'staff', password_hash: null } });
    else await expect(attempt).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
  });

  it('never hands out a password account without its session', async () => {
    if (mode === 'open') mocks.user.findByUsername.mockResolvedValue(rita);
    await expect(verification.verify(socket(), null, { user_type: 'staff', user_name: 'rita' })).rejects.toMatchObject({
      code: 'NOT_AUTHORISED',
    });
  });
});
