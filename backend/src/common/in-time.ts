/**
 * `work`'s outcome, or a rejection with `Error(message)` once `ms` have passed, whichever comes
 * first; the timer is cleared either way and never keeps the process alive. A late outcome of
 * `work` is ignored.
 */
export function inTime<T>(work: PromiseLike<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([Promise.resolve(work), late]).finally(() => clearTimeout(timer));
}
