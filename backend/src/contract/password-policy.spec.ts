import { loadPasswordChecker, PASSWORD_MIN_SCORE, type PasswordChecker } from './password-policy';

describe('the password rule', () => {
  let check: PasswordChecker;
  beforeAll(async () => {
    check = await loadPasswordChecker();
  });

  it.each(['12345678', 'password', '        ', 'qwertyuiop', 'Password1', 'aaaaaaaaaaaa'])('refuses %p, saying why', (password) => {
    const verdict = check(password);
    expect(verdict.ok).toBe(false);
    expect(verdict.score).toBeLessThan(PASSWORD_MIN_SCORE);
    expect(verdict.feedback.length).toBeGreaterThan(10);
  });

  it('refuses anything shorter than 8 characters, however random', () => {
    expect(check('x9$Kq!z')).toEqual({ ok: false, score: 0, feedback: 'Use at least 8 characters.' });
  });

  it("counts the user's own names as guessable", () => {
    expect(check('zorblaxquintrell').ok).toBe(true);
    expect(check('zorblaxquintrell', ['zorblax', 'Zorblax Quintrell']).ok).toBe(false);
  });

  it('accepts passphrases and random strings', () => {
    for (const password of ['correct horse battery staple', 'sam-passphrase-9', 'Tr0ub4dor&3x', 'k3Jd9-Lq0aZ1Xw']) {
      expect(check(password, ['sam'])).toMatchObject({ ok: true, feedback: '' });
    }
  });

  it('loads the dictionaries once', async () => {
    expect(await loadPasswordChecker()).toBe(check);
  });
});
