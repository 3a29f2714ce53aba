import { UserRegistryService } from '../registry/user-registry.service';
import type { UserRow } from '../storage/database.types';
import { userRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks } from '../testing/new-test-service';
import { RecipientResolver } from './recipient-resolver.service';

describe('RecipientResolver', () => {
  let resolver: RecipientResolver;
  let mocks: ServiceMocks;
  let registry: UserRegistryService;

  const admin = userRow(1, 'admin', { username: 'admin' });
  const bea = userRow(2, 'staff', { username: 'bea' });
  const gone = userRow(3, 'client', { username: 'gone', disabled: 1 });

  beforeEach(() => {
    const service = newTestService(RecipientResolver);
    ({ sut: resolver, mocks } = service);
    registry = service.get(UserRegistryService);
    const accounts: UserRow[] = [admin, bea, gone];
    mocks.user.findByUsername.mockImplementation(async (name) => accounts.find((u) => u.username === name));
  });

  const send = { allowSocketId: true };

  it('reads every group form', async () => {
    for (const form of ['staff', 'group:staff']) {
      expect(await resolver.resolve(form, send)).toEqual({ kind: 'group', group: 'staff' });
    }
    await expect(resolver.resolve('group:managers', send)).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
  });

  it('reads user names, bare or prefixed, in any case', async () => {
    for (const form of ['bea', 'user:bea', 'BEA']) {
      expect(await resolver.resolve(form, send)).toMatchObject({ kind: 'user', user: { username: 'bea' } });
    }
  });

  it('prefers the group for a bare role name, so a user named like a role needs user:', async () => {
    expect(await resolver.resolve('admin', send)).toEqual({ kind: 'group', group: 'admin' });
    expect(await resolver.resolve('user:admin', send)).toMatchObject({ kind: 'user', user: { username: 'admin' } });
  });

  it('maps a connected socket id, and one that has gone but sent messages, to its user', async () => {
    registry.connect({ socketId: 'bea-laptop', ip: '10.0.0.1', userAgent: 'spec', sessionId: null });
    registry.verify('bea-laptop', bea);
    expect(await resolver.resolve('bea-laptop', send)).toMatchObject({ user: { username: 'bea' } });
    expect(mocks.message.findSenderIdOfSocket).not.toHaveBeenCalled();

    registry.disconnect('bea-laptop');
    mocks.message.findSenderIdOfSocket.mockImplementation(async (socketId) => (socketId === 'bea-laptop' ? bea.id : undefined));
    mocks.user.findById.mockImplementation(async (id) => (id === bea.id ? bea : undefined));
    expect(await resolver.resolve('bea-laptop', send)).toMatchObject({ user: { username: 'bea' } });
    await expect(resolver.resolve('bea-laptop', { allowSocketId: false })).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
    await expect(resolver.resolve('never-seen', send)).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
  });

  it('refuses a disabled user as a recipient but finds them for reading history', async () => {
    await expect(resolver.resolve('gone', send)).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
    expect(await resolver.resolve('gone', { allowSocketId: false, allowDisabled: true })).toMatchObject({
      user: { username: 'gone' },
    });
  });
});
