import type { AuditEntry } from '@parley/contract';
import { actionLabel, appendPage, describeDetails } from './audit.model';

const entry = (id: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  at: '2026-11-25T10:00:00.000Z',
  actor: 'admin',
  action: 'user.created',
  target: 'sam',
  details: {},
  ip: '10.0.0.2',
  ...over,
});

describe('audit model', () => {
  it('labels every known action, and shows an unknown one as it is', () => {
    expect(actionLabel('user.password_reset')).toBe('Reset password');
    expect(actionLabel('something.new')).toBe('something.new');
    expect(actionLabel('directory.role_changed')).toBe('Role changed by the directory');
  });

  it.each([
    [{ action: 'user.changed', details: { disabled: true } }, 'disabled'],
    [{ action: 'user.changed', details: { disabled: false, role: 'client' } }, 'enabled, role → client'],
    [{ action: 'user.changed', details: { display_name: 'Samuel' } }, 'display name → Samuel'],
    [{ action: 'user.created', details: { role: 'staff', display_name: 'Sam' } }, 'role: staff, display name: Sam'],
    [{ action: 'connection.kicked', details: { username: 'cleo', role: 'client', ip: '10.0.0.9' } }, 'cleo · client · 10.0.0.9'],
    [{ action: 'connection.kicked', details: { username: null, role: null, ip: '10.0.0.9' } }, '10.0.0.9'],
    [{ action: 'settings.changed', details: { changed: ['PARLEY_AUTH', 'PARLEY_PORT'], settings: {} } }, 'changed: PARLEY_AUTH, PARLEY_PORT'],
    [{ action: 'user.signed_out', details: {} }, ''],
    [{ action: 'directory.account_created', details: { source: 'ldap', role: 'staff' } }, 'company directory · staff'],
    [{ action: 'directory.role_changed', details: { source: 'oidc', from: 'client', to: 'staff' } }, 'single sign-on · client → staff'],
    [{ action: 'directory.account_disabled', details: { source: 'ldap', reason: 'in_no_group' } }, 'company directory · in no Parley group'],
    [{ action: 'directory.account_disabled', details: { source: 'ldap', reason: 'not_in_directory' } }, 'company directory · no longer in the directory'],
  ] as const)('describes %j as %p', (partial, text) => {
    expect(describeDetails(partial as Pick<AuditEntry, 'action' | 'details'>)).toBe(text);
  });

  it('appends an older page without doubling entries already shown', () => {
    const shown = [entry(5), entry(4)];
    expect(appendPage(shown, [entry(4), entry(3), entry(2)]).map((e) => e.id)).toEqual([5, 4, 3, 2]);
  });
});
