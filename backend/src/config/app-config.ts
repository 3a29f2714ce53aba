import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { validateEnv, type Env } from './env.schema';

/** The validated settings, typed. Inject this rather than reading process.env. */
@Injectable()
export class AppConfig {
  readonly values: Env;

  constructor(config: ConfigService) {
    this.values = config.get<Env>('parley') as Env;
  }

  /** A config built straight from variables, for code that runs outside Nest (tests, tools). */
  static fromEnv(raw: Record<string, string | undefined>): AppConfig {
    const values = validateEnv(raw);
    return new AppConfig({ get: () => values } as unknown as ConfigService);
  }
}
