import type { WireMessage } from '@parley/contract';
import { eventually } from '../../../test/support/eventually';
import { AccountActivity } from '../auth/account-activity';
import type { Target } from '../chat/message-routing.service';
import { ParleyError } from '../common/parley-error';
import { ParleyMetrics } from '../metrics/parley-metrics.service';
import { userRow } from '../storage/testing/fixtures';
import { newTestService } from '../testing/new-test-service';
import { AccountHooks, type AccountChange } from './account-hooks.service';
import { HookFailures } from './hook-list';
import { MessageHooks, type OutgoingMessage } from './message-hooks.service';

const alice = userRow(1, 'staff', { username: 'alice' });
const toBob: Target = { kind: 'user', user: userRow(2, 'staff', { username: 'bob' }) };
const plain = { fromExtension: false, mayBeEmpty: false };
const wire = { id: 7, message: 'hi' } as WireMessage;

describe('MessageHooks', () => {
  let hooks: MessageHooks;
  let failed: jest.SpyInstance;

  beforeEach(() => {
    const service = newTestService(MessageHooks, { env: { PARLEY_MAX_MESSAGE_BYTES: '16' } });
    hooks = service.sut;
    failed = jest.spyOn(service.get(ParleyMetrics), 'extensionHookFailed');
  });

  const as = (extension: string, position: number) => hooks.forExtension({ extension, position });
  const refusal = (promise: string | Promise<string>) => Promise.resolve(promise).catch((error: ParleyError) => error.toBody());

  it('costs nothing without hooks: the text comes back as it was, synchronously', () => {
    expect(hooks.runBeforeStore('hello', alice, toBob, plain)).toBe('hello');
  });

  it("chains before-store hooks in PARLEY_EXTENSIONS order, whatever order they registered in, each seeing the last one's text", async () => {
    const seen: OutgoingMessage[] = [];
    hooks.beforeStore(({ text }) => ({ text: `${text} app` }));
    as('second', 1).beforeStore(async (message) => {
      seen.push(message);
      return { text: `${message.text} 2` };
    });
    as('first', 0).beforeStore(({ text }) => ({ text: `${text} 1` }));
    as('first', 0).beforeStore(() => undefined);
    expect(await hooks.runBeforeStore('hi', alice, toBob, plain)).toBe('hi 1 2 app');
    expect(seen).toEqual([
      { text: 'hi 1', sender: { id: 1, username: 'alice', display_name: 'U1', role: 'staff' }, target: { kind: 'user', user: 'bob' }, fromExtension: false },
    ]);
  });

  it('stops at a refusal with MESSAGE_REFUSED and the reason the hook gave', async () => {
    const later = jest.fn();
    as('filter', 0).beforeStore(() => ({ refuse: 'Not here' }));
    as('later', 1).beforeStore(later);
    expect(await refusal(hooks.runBeforeStore('hi', alice, toBob, plain))).toEqual({ code: 'MESSAGE_REFUSED', message: 'Not here' });
    expect(later).not.toHaveBeenCalled();
    expect(failed).not.toHaveBeenCalled();
  });

  it('fails the message with INTERNAL when a hook throws or rejects, counted under its extension', async () => {
    const internal = { code: 'INTERNAL', message: 'An extension on this server failed on this message; it was not sent' };
    as('buggy', 0).beforeStore((message) => {
      if (message.text === 'sync') throw new TypeError('sync');
      return Promise.reject(new Error('async'));
    });
    expect(await refusal(hooks.runBeforeStore('sync', alice, toBob, plain))).toEqual(internal);
    expect(await refusal(hooks.runBeforeStore('async', alice, toBob, plain))).toEqual(internal);
    expect(failed.mock.calls).toEqual([
      ['message.before_store', 'buggy'],
      ['message.before_store', 'buggy'],
    ]);
  });

  it('fails the message with INTERNAL, counted, when a hook does not answer within PARLEY_HOOK_TIMEOUT_MS, and ignores its late answer', async () => {
    jest.useFakeTimers();
    try {
      const { sut, get } = newTestService(MessageHooks, { env: { PARLEY_HOOK_TIMEOUT_MS: '1000' } });
      const counted = jest.spyOn(get(HookFailures), 'report').mockImplementation(() => undefined);
      let answerLate: (result: { text: string }) => void = () => undefined;
      sut.forExtension({ extension: 'slow', position: 0 }).beforeStore((message) =>
        message.text === 'stuck' ? new Promise((resolve) => (answerLate = resolve)) : { text: `${message.text}!` },
      );
      const stuck = refusal(sut.runBeforeStore('stuck', alice, toBob, plain));
      await jest.advanceTimersByTimeAsync(999);
      let settled = false;
      void stuck.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(await stuck).toEqual({ code: 'INTERNAL', message: 'An extension on this server failed on this message; it was not sent' });
      expect(counted).toHaveBeenCalledWith('message.before_store', { extension: 'slow', position: 0 }, expect.objectContaining({ message: 'did not answer within 1000 ms (PARLEY_HOOK_TIMEOUT_MS)' }));
      answerLate({ text: 'too late' });
      // The same hook answering at once is not held up, and no timer is left behind.
      expect(await sut.runBeforeStore('quick', alice, toBob, plain)).toBe('quick!');
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('takes no rewrite a sender could not have sent: too long, empty without files, or not text', async () => {
    const rewrites: unknown[] = ['x'.repeat(17), '', 'nul\u0000', 42];
    as('rewriter', 0).beforeStore(() => ({ text: rewrites.shift() as string }));
    for (let i = 0; i < 4; i += 1) {
      expect(await refusal(hooks.runBeforeStore('hi', alice, toBob, plain))).toMatchObject({ code: 'INTERNAL' });
    }
    expect(failed).toHaveBeenCalledTimes(4);
    // With files, an empty text is a valid message.
    rewrites.push('');
    expect(await hooks.runBeforeStore('hi', alice, toBob, { fromExtension: false, mayBeEmpty: true })).toBe('');
  });

  it('fails the message with INTERNAL, counted, when a hook answers with something that is not an answer', async () => {
    // A plain JavaScript hook returning a string instead of { text }: its bug, not the sender's.
    as('stringly', 0).beforeStore(() => 'just text' as never);
    expect(await refusal(hooks.runBeforeStore('hi', alice, toBob, plain))).toMatchObject({ code: 'INTERNAL' });
    expect(failed.mock.calls).toEqual([['message.before_store', 'stringly']]);
  });

  it('runs after-delivery hooks after the caller goes on, each one whatever the others do', async () => {
    const ran: string[] = [];
    as('throws', 0).afterDelivery(() => {
      ran.push('throws');
      throw new Error('sync');
    });
    as('rejects', 1).afterDelivery(async () => {
      ran.push('rejects');
      throw new Error('async');
    });
    as('hangs', 2).afterDelivery(() => {
      ran.push('hangs');
      return new Promise(() => {});
    });
    as('works', 3).afterDelivery(({ message, sender, target }) => ran.push(`works ${message.id} ${sender.username} ${target.kind}`));
    hooks.runAfterDelivery(wire, alice, toBob);
    expect(ran).toEqual([]);
    await eventually(() => expect(failed.mock.calls).toEqual([['message.after_delivery', 'throws'], ['message.after_delivery', 'rejects']]));
    expect(ran).toEqual(['throws', 'rejects', 'hangs', 'works 7 alice user']);
  });
});

describe('AccountHooks', () => {
  it('tells every hook of an event what happened to whom, a failing one counted', async () => {
    const service = newTestService(AccountHooks);
    const failed = jest.spyOn(service.get(ParleyMetrics), 'extensionHookFailed');
    const seen: AccountChange[] = [];
    service.sut.forExtension({ extension: 'welcome', position: 0 }).on('created', () => {
      throw new Error('bug');
    });
    service.sut.on('created', (change) => seen.push(change));
    service.sut.on('disabled', (change) => seen.push(change));
    service.get(AccountActivity).emit('created', userRow(3, 'client', { username: 'cleo' }));
    await eventually(() => expect(seen).toEqual([{ event: 'created', user: { id: 3, username: 'cleo', display_name: 'U3', role: 'client', source: 'local' } }]));
    expect(failed.mock.calls).toEqual([['account.created', 'welcome']]);
    expect(() => service.sut.on('deleted' as 'created', () => {})).toThrow('No account event "deleted": use created, signed_in or disabled');
    service.sut.onModuleDestroy();
  });
});
