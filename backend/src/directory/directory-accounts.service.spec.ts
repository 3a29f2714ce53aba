import { AccountActivity } from '../auth/account-activity';
import { userRow } from '../storage/testing/fixtures';
import { newTestService } from '../testing/new-test-service';
import { DirectoryAccounts } from './directory-accounts.service';

describe('DirectoryAccounts', () => {
  it('tells AccountActivity (the account hooks) of an account it creates and of one it disables', async () => {
    const { sut, mocks, get } = newTestService(DirectoryAccounts);
    const activity: string[] = [];
    get(AccountActivity).events$.subscribe(({ kind, user }) => activity.push(`${kind} ${user.username}`));
    const dee = userRow(4, 'staff', { username: 'dee', source: 'ldap' });
    mocks.user.create.mockResolvedValue(dee);
    mocks.audit.insert.mockResolvedValue({} as never);
    expect(await sut.signedIn({ source: 'ldap', externalId: 'ldap:uid=dee', username: 'dee', displayName: 'U4', role: 'staff' }, undefined)).toBe(dee);
    mocks.user.updateIf.mockResolvedValue({ ...dee, disabled: 1, directory_disabled: 1 });
    mocks.session.revokeAllForUser.mockResolvedValue([]);
    await sut.remove(dee, 'not_in_directory');
    expect(activity).toEqual(['created dee', 'disabled dee']);
  });
});
