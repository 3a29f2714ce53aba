import { EventEmitter } from 'node:events';
import { exitOnShutdownSignal } from './shutdown-signals';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Installs the handler on a private emitter; resolves with the exit code it chooses. */
function install(stop: () => Promise<void>, timeoutMs = 10_000) {
  const signals = new EventEmitter();
  let stops = 0;
  const exited = new Promise<number>((resolve) =>
    exitOnShutdownSignal(
      () => {
        stops += 1;
        return stop();
      },
      { timeoutMs, signals, exit: resolve, logger: quiet },
    ),
  );
  return { signals, exited, stops: () => stops };
}

describe('exitOnShutdownSignal', () => {
  it.each(['SIGTERM', 'SIGINT'])('on %s runs the stop once and exits 0 when it finishes', async (signal) => {
    let finish!: () => void;
    const { signals, exited, stops } = install(() => new Promise<void>((resolve) => (finish = resolve)));
    signals.emit(signal, signal);
    // Ctrl-C under npm start delivers SIGINT twice; the second must not start another stop.
    signals.emit('SIGINT', 'SIGINT');
    finish();
    expect(await exited).toBe(0);
    expect(stops()).toBe(1);
  });

  it('exits 1 when the stop fails', async () => {
    const { signals, exited } = install(() => Promise.reject(new Error('database close failed')));
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
  });

  it('exits 1 when the stop outlasts the timeout', async () => {
    const { signals, exited } = install(() => new Promise<void>(() => undefined), 20);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
  });

  it('does nothing before a signal', async () => {
    const { exited, stops } = install(() => Promise.resolve());
    const outcome = await Promise.race([exited, new Promise((resolve) => setImmediate(() => resolve('still running')))]);
    expect(outcome).toBe('still running');
    expect(stops()).toBe(0);
  });
});
