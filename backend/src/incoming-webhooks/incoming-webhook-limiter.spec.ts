import { ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { HOOK_POST_BURST, HOOK_POSTS_PER_SECOND, IncomingWebhookLimiter } from './incoming-webhook-limiter';

describe('IncomingWebhookLimiter', () => {
  let limiter: IncomingWebhookLimiter;
  beforeEach(() => (limiter = new IncomingWebhookLimiter()));
  afterEach(() => limiter.onModuleDestroy());

  const refusal = (hookId: number, now: number): ParleyError | undefined => {
    try {
      limiter.admit(hookId, now);
      return undefined;
    } catch (error) {
      return error as ParleyError;
    }
  };

  it('admits the burst at once, then refuses with RATE_LIMITED and when to retry', () => {
    for (let n = 0; n < HOOK_POST_BURST; n += 1) expect(refusal(1, 0)).toBeUndefined();
    const refused = refusal(1, 0);
    expect(refused).toMatchObject({ code: ErrorCodes.RateLimited, retryAfterMs: 1000 / HOOK_POSTS_PER_SECOND });
  });

  it('counts each hook on its own and refills over time', () => {
    for (let n = 0; n < HOOK_POST_BURST; n += 1) limiter.admit(1, 0);
    expect(refusal(2, 0)).toBeUndefined();
    expect(refusal(1, 1000 / HOOK_POSTS_PER_SECOND)).toBeUndefined();
    expect(refusal(1, 1000 / HOOK_POSTS_PER_SECOND)).toBeInstanceOf(ParleyError);
  });
});
