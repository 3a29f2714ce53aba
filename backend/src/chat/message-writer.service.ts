import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import type { NewMessageRow } from '../storage/database.types';
import { MessageRepository, type InsertedMessage } from '../storage/message.repository';

interface Pending {
  message: NewMessageRow;
  resolve: (result: InsertedMessage) => void;
  reject: (error: unknown) => void;
}

/** Bounds one transaction; 500 rows x 11 columns stays well under both dialects' parameter caps. */
const MAX_BATCH = 500;

/**
 * Group commit: messages that arrive while a transaction is being written wait and go into the
 * next one together, so N concurrent senders cost one fsync, not N. Each caller's promise
 * resolves only once its message is committed.
 */
@Injectable()
export class MessageWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(MessageWriter.name);
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly messages: MessageRepository) {}

  write(message: NewMessageRow): Promise<InsertedMessage> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      // setImmediate lets every message already read off the sockets this tick join the batch.
      this.running ??= new Promise<void>((done) => setImmediate(() => this.drain().finally(done)));
    });
  }

  /** Resolves once everything queued so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Before, not on, shutdown: every module's onApplicationShutdown may already close the database. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async writeAlone(pending: Pending): Promise<void> {
    try {
      const [result] = await this.messages.insertBatch([pending.message]);
      pending.resolve(result);
    } catch (error) {
      this.fail(pending, error);
    }
  }

  private fail(pending: Pending, error: unknown): void {
    this.logger.error(`Storing a message from ${pending.message.sender_username} failed: ${String(error)}`);
    pending.reject(new ParleyError(ErrorCodes.StorageFailed, 'The message could not be stored; send it again'));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const results = await this.messages.insertBatch(batch.map((p) => p.message));
          batch.forEach((pending, i) => pending.resolve(results[i]));
        } catch (error) {
          if (batch.length === 1) this.fail(batch[0], error);
          // One bad row must not fail the others: store them one by one to find it.
          else for (const pending of batch) await this.writeAlone(pending);
        }
      }
    } finally {
      this.running = null;
    }
  }
}
