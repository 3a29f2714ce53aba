import { displayNameFromClaims, roleFromClaims, usernameFromClaims, type ClaimSettings } from './oidc-claims';

const settings: ClaimSettings = {
  PARLEY_OIDC_USERNAME_CLAIM: 'preferred_username',
  PARLEY_OIDC_ROLE_CLAIM: 'groups',
  PARLEY_OIDC_ADMIN_GROUP: 'parley-admins',
  PARLEY_OIDC_STAFF_GROUP: 'parley-staff',
  PARLEY_OIDC_CLIENT_GROUP: undefined,
};

describe('OpenID Connect claims', () => {
  it('maps the role claim, a list or a single value, admin first', () => {
    expect(roleFromClaims({ groups: ['other', 'parley-staff', 'parley-admins'] }, settings)).toBe('admin');
    expect(roleFromClaims({ groups: 'parley-staff' }, settings)).toBe('staff');
    expect(roleFromClaims({ groups: ['Parley-Staff', 'parley-staff '] }, settings)).toBeNull();
    // An unset mapping matches nothing, not even an empty or missing claim.
    expect(roleFromClaims({ groups: [] }, settings)).toBeNull();
    expect(roleFromClaims({}, settings)).toBeNull();
    expect(roleFromClaims({ groups: [{ name: 'parley-admins' }, 7, null] }, settings)).toBeNull();
    expect(roleFromClaims({ roles: ['parley-staff'] }, { ...settings, PARLEY_OIDC_ROLE_CLAIM: 'roles' })).toBe('staff');
  });

  it('takes the user name from the configured claim, normalised, only when Parley can hold it', () => {
    expect(usernameFromClaims({ preferred_username: ' Sam.Smith ' }, settings)).toBe('sam.smith');
    expect(usernameFromClaims({ preferred_username: 'sam@example.com' }, settings)).toBeNull();
    expect(usernameFromClaims({ preferred_username: 'x'.repeat(33) }, settings)).toBeNull();
    expect(usernameFromClaims({ preferred_username: ['sam'] }, settings)).toBeNull();
    expect(usernameFromClaims({ sub: 'sam' }, settings)).toBeNull();
    expect(usernameFromClaims({ email: 'sam', preferred_username: 'other' }, { ...settings, PARLEY_OIDC_USERNAME_CLAIM: 'email' })).toBe('sam');
  });

  it('uses `name` as the display name, cut to 64 characters, else the user name', () => {
    expect(displayNameFromClaims({ name: '  Sam Smith ' }, 'sam')).toBe('Sam Smith');
    expect(displayNameFromClaims({ name: 'y'.repeat(100) }, 'sam')).toBe('y'.repeat(64));
    expect(displayNameFromClaims({ name: '\0 ' }, 'sam')).toBe('sam');
    expect(displayNameFromClaims({ name: 42 }, 'sam')).toBe('sam');
    expect(displayNameFromClaims({}, 'sam')).toBe('sam');
  });
});
