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
});
