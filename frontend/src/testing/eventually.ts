/**
 * Waits for a condition instead of for a time (the web specs' twin of test/support's
 * eventually): polls every 10 ms, fails after `timeoutMs` naming what it waited for.
 */
export async function eventually(condition: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met in time`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
