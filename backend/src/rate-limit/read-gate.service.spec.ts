import { AppConfig } from '../config/app-config';
import { ReadGate } from './read-gate.service';

describe('ReadGate', () => {
  const gate = () => new ReadGate(AppConfig.fromEnv({ PARLEY_READS_IN_FLIGHT: '2' }));

  it('lets two reads of a socket run at once and refuses the third until one ends', () => {
    const subject = gate();
    const first = subject.enter('s1', null);
    expect(subject.enter('s1', null)).not.toBeNull();
    expect(subject.enter('s1', null)).toBeNull();
    first!();
    expect(subject.enter('s1', null)).not.toBeNull();
  });

  it("counts a user's sockets together", () => {
    const subject = gate();
    expect(subject.enter('a', 7)).not.toBeNull();
    expect(subject.enter('b', 7)).not.toBeNull();
    expect(subject.enter('c', 7)).toBeNull();
    // Another user, and the same socket unverified, have their own counts.
    expect(subject.enter('d', 8)).not.toBeNull();
  });

  it('releases once however often release is called, and forgets idle sockets', () => {
    const subject = gate();
    const release = subject.enter('s1', 1)!;
    release();
    release();
    expect(subject.inFlight('s1')).toBe(0);
    expect([subject.enter('s1', 1), subject.enter('s1', 1), subject.enter('s1', 1)].filter(Boolean)).toHaveLength(2);
  });

  it("counts a REST caller's reads by session, or by user without one, never one as the other", async () => {
    const subject = gate();
    const held: Array<() => void> = [];
    const holdRead = (caller: { sessionId: number | null; user: { id: number } }) =>
      subject.restRead(caller, () => new Promise<void>((done) => held.push(done)));
    // Session 5 (user 12) has both of its reads in progress…
    const reads = [holdRead({ sessionId: 5, user: { id: 12 } }), holdRead({ sessionId: 5, user: { id: 12 } })];
    await expect(subject.restRead({ sessionId: 5, user: { id: 12 } }, async () => 'third')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // …and a bot, user 5, with no session, has its own count.
    await expect(subject.restRead({ sessionId: null, user: { id: 5 } }, async () => 'bot read')).resolves.toBe('bot read');
    for (const done of held) done();
    await Promise.all(reads);
  });
});
