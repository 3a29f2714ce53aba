import { AccountActivity, type AccountActivityEvent } from '../auth/account-activity';
import { AccountEvents, type AccountEvent } from '../auth/account-events';
import { userRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks, type TestService } from '../testing/new-test-service';
import { BotsService } from './bots.service';

// The SQL (one live token, rotation in one transaction) is storage/bot.repository.spec.ts's.
describe('BotsService', () => {
  let bots: BotsService;
  let mocks: ServiceMocks;
  let get: TestService<BotsService>['get'];
  const relay = userRow(9, 'staff', { username: 'relay', bot: 1 });
  const admin = userRow(1, 'admin', { username: 'admin' });
  const token = (id: number) => ({ id, user_id: relay.id, token_hash: `h${id}`, created_at: 1, created_by: 'admin', last_used_at: null, revoked_at: null });

  beforeEach(() => {
    ({ sut: bots, mocks, get } = newTestService(BotsService));
  });

  it('creates a bot with a fresh token, keeps only its hash, and tells the account hooks', async () => {
    const activity: AccountActivityEvent[] = [];
    get(AccountActivity).events$.subscribe((event) => activity.push(event));
    mocks.user.findByUsername.mockResolvedValue(undefined);
    mocks.bot.create.mockImplementation(async (_user, stored) => ({ user: relay, token: { ...token(1), ...stored } }));
    const { bot, token: secret } = await bots.create({ username: 'relay', role: 'staff' }, admin);
    expect(secret).toMatch(/^parley_bot_[A-Za-z0-9_-]{43}$/);
    const stored = mocks.bot.create.mock.calls[0][1];
    expect(stored).toMatchObject({ created_by: 'admin' });
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(bot)).not.toContain(secret);
    expect(activity).toEqual([{ kind: 'created', user: relay }]);
  });

  it('closes the sockets of the tokens a rotation or a revocation ended, and only when there were some', async () => {
    const events: AccountEvent[] = [];
    get(AccountEvents).events$.subscribe((event) => events.push(event));
    mocks.user.findByUsername.mockResolvedValue(relay);
    mocks.bot.rotate.mockResolvedValue({ token: token(2), revoked: [1] });
    await bots.rotate('relay', admin);
    mocks.bot.revoke.mockResolvedValueOnce([2]).mockResolvedValueOnce([]);
    await bots.revoke('relay');
    await bots.revoke('relay');
    expect(events).toEqual([
      { kind: 'bot-tokens-revoked', tokenIds: [1], reason: 'token_revoked' },
      { kind: 'bot-tokens-revoked', tokenIds: [2], reason: 'token_revoked' },
    ]);
  });

  it("answers a person's name as no bot at all", async () => {
    mocks.user.findByUsername.mockResolvedValue(userRow(3, 'staff', { username: 'sam' }));
    await expect(bots.rotate('sam', admin)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No bot named sam' });
    await expect(bots.revoke('sam')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(mocks.bot.rotate).not.toHaveBeenCalled();
  });
});
