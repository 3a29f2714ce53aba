import { userRow as user } from '../storage/testing/fixtures';
import { UserRegistryService, type RegistryChange } from './user-registry.service';

describe('UserRegistryService', () => {
  let registry: UserRegistryService;
  let changes: RegistryChange[];

  beforeEach(() => {
    registry = new UserRegistryService();
    changes = [];
    registry.changes$.subscribe((c) => changes.push(c));
  });

  const connect = (socketId: string) => registry.connect({ socketId, ip: '10.0.0.9', userAgent: 'test', sessionId: null });

  it('tracks every device of a user and forgets each on disconnect', () => {
    connect('a');
    connect('b');
    registry.verify('a', user(1));
    registry.verify('b', user(1));
    expect(registry.socketsOf(1).sort()).toEqual(['a', 'b']);
    registry.disconnect('a');
    expect(registry.socketsOf(1)).toEqual(['b']);
    expect(registry.get('a')).toBeUndefined();
    registry.disconnect('b');
    expect(registry.socketsOf(1)).toEqual([]);
    expect(registry.size).toBe(0);
  });

  it('gives a refused socket no identity, even if it had one', () => {
    connect('a');
    registry.verify('a', user(1));
    registry.refuse('a', 'admin', 'root');
    expect(registry.getVerified('a')).toBeUndefined();
    expect(registry.get('a')).toMatchObject({ verification: 'NOT AUTHORISED', user: null, claimedType: 'admin' });
    expect(registry.socketsOf(1)).toEqual([]);
  });

  it('moves a re-verified socket from its old user to the new one', () => {
    connect('a');
    registry.verify('a', user(1));
    registry.verify('a', user(2));
    expect(registry.socketsOf(1)).toEqual([]);
    expect(registry.socketsOf(2)).toEqual(['a']);
  });

  it('announces every change, and ignores sockets it does not know', () => {
    connect('a');
    registry.verify('a', user(1));
    registry.disconnect('a');
    expect(registry.verify('zz', user(1))).toBeUndefined();
    registry.refuse('zz', null, null);
    expect(registry.disconnect('zz')).toBeUndefined();
    expect(changes.map((c) => c.kind)).toEqual(['upsert', 'upsert', 'remove']);
  });
});

describe('UserRegistryService presence', () => {
  it('announces a user online with their first device and offline after their last', () => {
    const registry = new UserRegistryService();
    const seen: string[] = [];
    registry.presence$.subscribe((p) => seen.push(`${p.user.username}:${p.online ? 'on' : 'off'}`));
    for (const id of ['a', 'b']) registry.connect({ socketId: id, ip: '', userAgent: '', sessionId: null });
    registry.verify('a', user(1));
    registry.verify('b', user(1));
    registry.verify('a', user(1)); // re-verifying the same identity is no change
    expect(registry.isOnline(1)).toBe(true);
    registry.disconnect('a');
    expect(seen).toEqual(['u1:on']);
    registry.disconnect('b');
    expect(seen).toEqual(['u1:on', 'u1:off']);
    expect(registry.isOnline(1)).toBe(false);
  });
});
