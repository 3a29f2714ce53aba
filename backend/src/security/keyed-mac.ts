import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerSecretRepository } from '../storage/server-secret.repository';

/**
 * HMAC-SHA256 under one named server secret (a `server_secrets` row, so every node of a cluster
 * signs and checks alike), and its constant-time check. Loaded once the migrations have run.
 */
export class KeyedMac {
  private key: Buffer | null = null;

  constructor(private readonly secretName: string) {}

  async load(secrets: ServerSecretRepository): Promise<void> {
    this.key = await secrets.getOrCreate(this.secretName);
  }

  sign(text: string): string {
    if (!this.key) throw new Error(`The ${this.secretName} secret was used before the application bootstrapped`);
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  /** Whether `given` is sign(text), in time independent of where they differ. */
  verify(text: string, given: string): boolean {
    const expected = Buffer.from(this.sign(text));
    const candidate = Buffer.from(given);
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  }
}
