import { PasswordService } from './password.service';

describe('PasswordService', () => {
  const passwords = new PasswordService();

  it('verifies the right password and only that', async () => {
    const hash = await passwords.hash('correct horse');
    expect(hash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(hash).not.toContain('correct horse');
    await expect(passwords.verify('correct horse', hash)).resolves.toBe(true);
    await expect(passwords.verify('Correct horse', hash)).resolves.toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await passwords.hash('same')).not.toEqual(await passwords.hash('same'));
  });

  it('refuses a missing or malformed stored hash instead of throwing', async () => {
    await expect(passwords.verify('x', null)).resolves.toBe(false);
    await expect(passwords.verify('x', 'md5$abc')).resolves.toBe(false);
  });
});
