import { Injectable, Logger } from '@nestjs/common';
import { ParleyMetrics } from '../metrics/parley-metrics.service';

/** Who registered a hook: its name labels failures; its position orders the chain. */
export interface HookSource {
  /** The extension's file name without its extension (`word-filter`), or `app` for the embedding code. */
  extension: string;
  /** Its place in PARLEY_EXTENSIONS (0 first); the embedding code's hooks come after every extension's. */
  position: number;
}

/** Hooks registered by code that builds the app itself (createParleyApp) rather than by an extension. */
export const EMBEDDER: HookSource = Object.freeze({ extension: 'app', position: Number.MAX_SAFE_INTEGER });

export interface Registered<H> {
  hook: H;
  source: HookSource;
}

/**
 * Hooks in PARLEY_EXTENSIONS order, then in the order each extension registered them. Nest builds
 * the extensions' providers in no promised order, so the order is the list's, not the registration's.
 */
export class HookList<H> implements Iterable<Registered<H>> {
  private readonly entries: (Registered<H> & { seq: number })[] = [];
  private seq = 0;

  get size(): number {
    return this.entries.length;
  }

  add(hook: H, source: HookSource): void {
    const entry = { hook, source, seq: this.seq++ };
    const at = this.entries.findIndex((other) => other.source.position > source.position);
    if (at === -1) this.entries.push(entry);
    else this.entries.splice(at, 0, entry);
  }

  [Symbol.iterator](): Iterator<Registered<H>> {
    return this.entries[Symbol.iterator]();
  }
}

/**
 * Registration as one extension. The loader gives each extension its own handle (forExtension)
 * on the one shared service, so its hooks carry its name and place without it passing them.
 */
export abstract class PerExtension {
  protected source: HookSource = EMBEDDER;

  /**
   * This service as seen by one extension: the same hooks and state (the prototype chain), only
   * the source differs. A copy would split the chain; an argument on every call could be forged or forgotten.
   */
  forExtension(source: HookSource): this {
    const scoped = Object.create(this) as this;
    scoped.source = source;
    return scoped;
  }
}

/** One place that logs a failed hook and counts it (parley_extension_hook_failures_total). */
@Injectable()
export class HookFailures {
  private readonly logger = new Logger('Extensions');

  constructor(private readonly metrics: ParleyMetrics) {}

  report(hook: string, source: HookSource, error: unknown): void {
    this.metrics.extensionHookFailed(hook, source.extension);
    this.logger.error(`${source.extension}: ${hook} hook failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }

  /**
   * Runs every hook on its own, after the current turn of the event loop: the caller (a send's
   * ack, a sign-in's answer) never waits, a slow hook delays no other, and a throw or a rejection
   * is reported, never passed on.
   */
  runDetached<A>(hook: string, hooks: HookList<(arg: A) => unknown>, arg: A): void {
    if (hooks.size === 0) return;
    const started = [...hooks];
    setImmediate(() => {
      for (const { hook: run, source } of started) {
        try {
          void Promise.resolve(run(arg)).catch((error: unknown) => this.report(hook, source, error));
        } catch (error) {
          this.report(hook, source, error);
        }
      }
    });
  }
}
