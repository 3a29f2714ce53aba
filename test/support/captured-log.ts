import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown> & { level: string; time: string; msg: string };

/** A pino destination that keeps every line, for reading back what the server logged. */
export class CapturedLog extends Writable {
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.raw.push(...String(chunk).split('\n').filter((line) => line.length > 0));
    done();
  }
  get text(): string {
    return this.raw.join('\n');
  }
  lines(): LogLine[] {
    return this.raw.map((line) => JSON.parse(line) as LogLine);
  }
}
