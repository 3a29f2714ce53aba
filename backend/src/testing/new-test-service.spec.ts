import { AuditService } from '../audit/audit.service';
import { AuthService } from '../auth/auth.service';
import { MessageRoutingService } from '../chat/message-routing.service';
import { RecipientResolver } from '../chat/recipient-resolver.service';
import { AppConfig } from '../config/app-config';
import { PermissionPolicy, TablePermissionPolicy } from '../permissions/permission-policy';
import { UserRegistryService } from '../registry/user-registry.service';
import { userRow } from '../storage/testing/fixtures';
import { UsersService } from '../users/users.service';
import { assertNoUnstubbedCalls, automock, newTestService } from './new-test-service';

describe('newTestService', () => {
  it('fails a call the test did not stub, naming Repository.method', async () => {
    const { sut } = newTestService(UsersService);
    await expect(sut.findByUsername('bea')).rejects.toThrow('UserRepository.findByUsername was called, but the test did not stub it');
    expect(assertNoUnstubbedCalls).toThrow('Called without a stub: UserRepository.findByUsername');
  });

  it('reports an unstubbed call even when the service swallows its error', async () => {
    const { sut } = newTestService(AuditService);
    await sut.record(null, 'user.created', 'bea'); // logs the failure and carries on
    // What the helper's afterEach runs; checked here, so that this test itself passes.
    expect(assertNoUnstubbedCalls).toThrow('Called without a stub: AuditRepository.insert');
  });

  it('answers a stubbed call as told', async () => {
    const { sut, mocks } = newTestService(UsersService);
    mocks.user.findById.mockResolvedValue(userRow(7));
    await expect(sut.findById(7)).resolves.toMatchObject({ id: 7, username: 'u7' });
    expect(mocks.user.findById).toHaveBeenCalledWith(7);
  });

  it('builds collaborators for real from the constructor types, on the same mocks', async () => {
    const { sut, mocks, get } = newTestService(RecipientResolver, { env: { PARLEY_AUTH: 'open' } });
    expect(get(UsersService)).toBeInstanceOf(UsersService);
    expect(get(UserRegistryService)).toBeInstanceOf(UserRegistryService);
    expect(get(AuthService)).toBeInstanceOf(AuthService);
    expect(get(AppConfig).values.PARLEY_AUTH).toBe('open');
    mocks.user.findByUsername.mockResolvedValue(userRow(3));
    await expect(sut.resolve('user:u3', { allowSocketId: false })).resolves.toMatchObject({ kind: 'user', user: { id: 3 } });
    expect(() => get(AuditService)).toThrow("AuditService is not part of RecipientResolver's graph");
  });

  it('builds the class the server binds to an abstract token', () => {
    const { get } = newTestService(MessageRoutingService);
    expect(get(PermissionPolicy)).toBeInstanceOf(TablePermissionPolicy);
  });

  it('mocks every method of a class, base classes included', () => {
    class Base {
      inherited(): number {
        return 1;
      }
    }
    class Derived extends Base {
      own(): number {
        return 2;
      }
    }
    const mock = automock(Derived);
    expect(() => mock.inherited()).toThrow('Derived.inherited was called');
    mock.own.mockReturnValue(5);
    expect(mock.own()).toBe(5);
    expect(assertNoUnstubbedCalls).toThrow('Called without a stub: Derived.inherited.');
  });
});
