import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { AppModule } from '../../app.module';
import { Broadcaster } from '../../realtime/broadcaster.service';
import { UserRegistryService, type VerifiedConnection } from '../../registry/user-registry.service';
import type { Role } from '@parley/contract';
import { UsersService } from '../../users/users.service';

/** Stands in for socket.io: records each emit instead of writing to sockets. */
export class RecordingBroadcaster {
  readonly emits: Array<{ rooms: string[]; event: string; payload: unknown; except?: string }> = [];
  readonly disconnected: string[] = [];
  emit(rooms: string[], event: string, payload: unknown, except?: string): void {
    this.emits.push({ rooms, event, payload, except });
  }
  emitLocal(rooms: string[], event: string, payload: unknown): void {
    this.emits.push({ rooms, event, payload });
  }
  /** No socket.io server here, so nothing waits on one. */
  whenAttached(): void {}
  disconnect(room: string): void {
    this.disconnected.push(room);
  }
  localRoomSize(): number {
    return 0;
  }
}

export interface ChatTestContext {
  module: TestingModule;
  broadcaster: RecordingBroadcaster;
  /** Creates an account and registers a verified socket for it. */
  connectUser(username: string, role: Role, socketId?: string): Promise<VerifiedConnection>;
  close(): Promise<void>;
}

/**
 * Every real Parley service on a fresh SQLite file, with only socket.io replaced: for unit
 * specs of the chat services without a network.
 */
export async function createChatTestContext(env: Record<string, string> = {}): Promise<ChatTestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-unit-'));
  const broadcaster = new RecordingBroadcaster();
  const module = await Test.createTestingModule({
    imports: [AppModule.forRoot({ env: { PARLEY_SQLITE_PATH: join(dir, 'p.sqlite'), PARLEY_ADMIN_PASSWORD: 'admin-passphrase-9', ...env } })],
  })
    .overrideProvider(Broadcaster)
    .useValue(broadcaster)
    .setLogger({ log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} })
    .compile();
  await module.init();
  const registry = module.get(UserRegistryService);
  const users = module.get(UsersService);
  let sockets = 0;
  return {
    module,
    broadcaster,
    async connectUser(username, role, socketId = `sock-${++sockets}`) {
      const user =
        (await users.findByUsername(username)) ??
        (await users.create({ username, role, password: `${username}-passphrase-9` }));
      registry.connect({ socketId, ip: '10.0.0.1', userAgent: 'spec', sessionId: null });
      return registry.verify(socketId, user)!;
    },
    async close() {
      await module.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
