import { eventually } from './eventually';

// The shared poller (test/support/eventually.ts), specified once here where a plain spec runs.
describe('eventually', () => {
  it('returns as soon as the condition holds, sync or async', async () => {
    let calls = 0;
    await eventually(() => ++calls === 3, { intervalMs: 1 });
    expect(calls).toBe(3);
    let asyncCalls = 0;
    await eventually(async () => ++asyncCalls === 2, { intervalMs: 1 });
    expect(asyncCalls).toBe(2);
  });

  it('resolves with what the predicate returned when it held', async () => {
    const frames: string[] = [];
    setTimeout(() => frames.push('42["hello"]'), 5);
    expect(await eventually(() => frames.find((frame) => frame.startsWith('42')) ?? false, { intervalMs: 1 })).toBe('42["hello"]');
  });

  it('takes a predicate that asserts: holding means not throwing', async () => {
    const inbox: string[] = [];
    setTimeout(() => inbox.push('hello'), 5);
    await eventually(() => expect(inbox).toEqual(['hello']), { intervalMs: 1 });
  });

  it("fails with the last attempt's own error, not a generic timeout", async () => {
    let attempt = 0;
    const failure = await eventually(
      () => {
        attempt += 1;
        throw new Error(`attempt ${attempt} failed`);
      },
      { timeoutMs: 30, intervalMs: 1 },
    ).catch((error: unknown) => error);
    expect(attempt).toBeGreaterThan(1);
    expect(failure).toEqual(new Error(`attempt ${attempt} failed`));
    // An expect() keeps its matcher result, so jest prints its usual diff.
    const assertion = await eventually(() => expect(1).toBe(2), { timeoutMs: 5, intervalMs: 1 }).catch((error: unknown) => error);
    expect(assertion).toMatchObject({ matcherResult: { pass: false, expected: 2, actual: 1 } });
  });

  it('names what it waited for when a boolean predicate stays false', async () => {
    await expect(eventually(() => false, { timeoutMs: 20, intervalMs: 1, what: 'the reply' })).rejects.toThrow(
      'the reply still false after 20 ms',
    );
    await expect(eventually(() => 1 > 2, { timeoutMs: 5, intervalMs: 1 })).rejects.toThrow(/condition .*1 > 2.* still false after 5 ms/);
  });

  it('tries once more at the deadline rather than failing on a condition that now holds', async () => {
    let ready = false;
    setTimeout(() => (ready = true), 15);
    await eventually(() => ready, { timeoutMs: 15, intervalMs: 20 });
  });
});
