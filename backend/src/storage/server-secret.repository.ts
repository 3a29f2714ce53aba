import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

@Injectable()
export class ServerSecretRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * The secret stored under `name`, created (32 random bytes) if there is none yet. Nodes
   * starting together race on the insert; the loser's insert does nothing and every node reads
   * the winner's value.
   */
  async getOrCreate(name: string): Promise<Buffer> {
    await this.database.db
      .insertInto('server_secrets')
      .values({ name, value: randomBytes(32).toString('base64url'), created_at: Date.now() })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const row = await this.database.db
      .selectFrom('server_secrets')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return Buffer.from(row.value, 'base64url');
  }
}
