import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * The password rule, shared by the server (which enforces it) and the web app (which shows it
 * and its feedback before submit), so the two never disagree.
 *
 * Length alone let `12345678`, `password` and `qwertyuiop` through; zxcvbn estimates how many
 * guesses an attacker with common-password and word lists would need. Score 3 is "safely
 * unguessable: moderate protection from an offline slow-hash scenario" (about 10^8 guesses),
 * the level zxcvbn's authors recommend for an account password; scrypt makes each guess slow.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MIN_SCORE = 3;

export const PASSWORD_RULE = `At least ${PASSWORD_MIN_LENGTH} characters and hard to guess: no common passwords, keyboard runs, repeats or the user's own name.`;

export interface PasswordVerdict {
  ok: boolean;
  /** zxcvbn's 0 (too guessable) to 4 (very unguessable); 0 for a too-short password. */
  score: number;
  /** Why it was refused and how to do better, in one sentence or two; empty when ok. */
  feedback: string;
}

export type PasswordChecker = (password: string, userInputs?: readonly string[]) => PasswordVerdict;

/** Builds the checker around a zxcvbn instance (the dictionaries are loaded by the caller). */
export function passwordCheckerFrom(zxcvbn: Pick<ZxcvbnFactory, 'check'>): PasswordChecker {
  return (password, userInputs = []) => {
    if (password.length < PASSWORD_MIN_LENGTH) {
      return { ok: false, score: 0, feedback: `Use at least ${PASSWORD_MIN_LENGTH} characters.` };
    }
    // A display name's words count one by one: "Ann Lee" makes both "ann" and "lee" guessable.
    const inputs = userInputs.flatMap((input) => [input, ...input.split(/\s+/)]).filter((input) => input.trim().length > 0);
    const result = zxcvbn.check(password, inputs);
    if (result.score >= PASSWORD_MIN_SCORE) return { ok: true, score: result.score, feedback: '' };
    const { warning, suggestions } = result.feedback;
    const advice = [warning, ...suggestions].filter((text): text is string => !!text);
    return {
      ok: false,
      score: result.score,
      feedback: (advice.length > 0 ? advice : ['Add more words that are less common.']).join(' '),
    };
  };
}

let loading: Promise<PasswordChecker> | null = null;

/**
 * The checker with zxcvbn's common-password, English word and keyboard dictionaries (bundled in
 * the packages: nothing is fetched at run time). They weigh ~1.5 MB, so they are imported
 * dynamically: the web app gets them as a lazy chunk when a password field is first used, and
 * the server loads them once, on first use.
 */
export function loadPasswordChecker(): Promise<PasswordChecker> {
  return (loading ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    const zxcvbn = new ZxcvbnFactory({
      // zxcvbn's time grows steeply with length and l33t characters: with its defaults (256, 100)
      // one 64-character random password took 2.4 s and a 252-character one 9.5 s of blocked
      // event loop here; with these, under 0.25 s. Characters past the 64th only add strength.
      maxLength: 64,
      l33tMaxSubstitutions: 10,
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
    return passwordCheckerFrom(zxcvbn);
  })());
}
