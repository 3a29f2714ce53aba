import { escapeFilterValue } from './ldap-directory.service';

describe('escapeFilterValue', () => {
  it('keeps a typed name from changing the filter (RFC 4515)', () => {
    expect(escapeFilterValue('ann')).toBe('ann');
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue('ann)(uid=*')).toBe('ann\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b\0')).toBe('a\\5cb\\00');
  });
});
