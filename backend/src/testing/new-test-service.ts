import { FileStore } from '../files/file-store';
import { FileRepository } from '../storage/file.repository';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PermissionPolicy, TablePermissionPolicy } from '../permissions/permission-policy';
import { Broadcaster } from '../realtime/broadcaster.service';
import { AnnouncementRepository } from '../storage/announcement.repository';
import { AuditRepository } from '../storage/audit.repository';
import { ChangeStream } from '../storage/change-stream';
import { ChannelRepository } from '../storage/channel.repository';
import { ConversationSettingsRepository } from '../storage/conversation-settings.repository';
import { DatabaseService } from '../storage/database.service';
import { MessageChangeRepository } from '../storage/message-change.repository';
import { MessageExportRepository } from '../storage/message-export.repository';
import { MessageRepository } from '../storage/message.repository';
import { ReadMarkRepository } from '../storage/read-mark.repository';
import { RetentionRepository } from '../storage/retention.repository';
import { ServerSecretRepository } from '../storage/server-secret.repository';
import { BotRepository } from '../storage/bot.repository';
import { SessionRepository } from '../storage/session.repository';
import { StorageCompactor } from '../storage/storage-compactor';
import { UserRepository } from '../storage/user.repository';

// A class as a constructor to call: Nest builds providers with whatever their parameters are,
// and so does this helper, so the arguments are untyped here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Class<T> = abstract new (...args: any[]) => T;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Buildable<T> = new (...args: any[]) => T;

/** The classes that reach outside the process: the database and the sockets. */
const MOCKED = {
  user: UserRepository,
  session: SessionRepository,
  bot: BotRepository,
  message: MessageRepository,
  readMark: ReadMarkRepository,
  audit: AuditRepository,
  announcement: AnnouncementRepository,
  serverSecret: ServerSecretRepository,
  channel: ChannelRepository,
  conversationSettings: ConversationSettingsRepository,
  changes: ChangeStream,
  messageChanges: MessageChangeRepository,
  compactor: StorageCompactor,
  retention: RetentionRepository,
  messageExport: MessageExportRepository,
  database: DatabaseService,
  broadcaster: Broadcaster,
  file: FileRepository,
  // Uploaded files' folder: never touched by a unit test either.
  fileStore: FileStore,
} as const;

/**
 * Abstract classes used as DI tokens, and the class the server binds to each (in its module):
 * metadata names only the token, and building an abstract class gives an object with no methods.
 */
const BOUND = new Map<Class<unknown>, Buildable<unknown>>([[PermissionPolicy, TablePermissionPolicy]]);

export type ServiceMocks = { [K in keyof typeof MOCKED]: jest.Mocked<InstanceType<(typeof MOCKED)[K]>> };

export interface TestService<T> {
  /** The service under test. */
  sut: T;
  mocks: ServiceMocks;
  /** The instance of a class in the service's graph (a real collaborator, or a mock). */
  get<C>(type: Class<C>): C;
}

/** Calls to a mock that had no implementation, since the last check. */
const unstubbedCalls: string[] = [];

/** Throws if a mock was called without a stub since the last check, and forgets those calls. */
export function assertNoUnstubbedCalls(): void {
  const calls = unstubbedCalls.splice(0);
  if (calls.length > 0) {
    throw new Error(`Called without a stub: ${calls.join(', ')}. Stub what the test expects (mocks.x.method.mockResolvedValue(...)).`);
  }
}

// A service may catch the error an unstubbed call throws (AuditService.record logs and goes on;
// MessageWriter turns it into STORAGE_FAILED), so every test is checked once more when it ends.
afterEach(assertNoUnstubbedCalls);

// Services are built outside Nest here; keep their log lines out of the test output.
Logger.overrideLogger(['fatal']);

/**
 * Every method of `type` (and of its base classes) as a jest.fn that, until the test gives it
 * an implementation, throws an error naming `Class.method` and fails the test.
 */
export function automock<T>(type: Class<T>): jest.Mocked<T> {
  const mock: Record<string, jest.Mock> = {};
  for (let proto = type.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (name === 'constructor' || name in mock || typeof descriptor.value !== 'function') continue;
      const label = `${type.name}.${name}`;
      mock[name] = jest.fn(() => {
        unstubbedCalls.push(label);
        throw new Error(`${label} was called, but the test did not stub it`);
      });
    }
  }
  return mock as unknown as jest.Mocked<T>;
}

/**
 * Builds `Service` for a unit spec, immich-style: the storage repositories, DatabaseService and
 * the Broadcaster (the process's only ways out, to the database and to sockets) are strict
 * automocks in `mocks`; a call the test did not stub fails it. Everything else is real, built
 * the way Nest would from each constructor's parameter types (`design:paramtypes`), one
 * instance per class, sharing the same mocks: UsersService in a RecipientResolver spec is the
 * real one, reading `mocks.user`. So a spec states every read and write its decision makes,
 * and the in-memory collaborators (registry, throttles, permission table, password rule) take
 * part as they do in the server, instead of being restated as stubs that could drift.
 *
 * - AppConfig comes from `env` (AppConfig.fromEnv), as the server reads it from process.env.
 * - To steer a real collaborator, spy on it: `jest.spyOn(get(AuthService), 'signOutEverywhere')`.
 * - No lifecycle hook runs; call onModuleInit() and friends when the test is about them.
 * - Broadcaster.whenAttached is stubbed to do nothing: no socket.io server exists here, so the
 *   callbacks constructors register with it would never run anyway.
 * - There is no cluster (PARLEY_REDIS_URL unset): NodeBus is real and has no one to talk to.
 */
export function newTestService<T>(Service: Buildable<T>, options: { env?: Record<string, string> } = {}): TestService<T> {
  const mocks = Object.fromEntries(Object.entries(MOCKED).map(([key, type]) => [key, automock<object>(type)])) as unknown as ServiceMocks;
  mocks.broadcaster.whenAttached.mockReturnValue(undefined);
  const instances = new Map<Class<unknown>, unknown>([
    [AppConfig, AppConfig.fromEnv(options.env ?? {})],
    ...Object.entries(MOCKED).map(([key, type]) => [type, mocks[key as keyof ServiceMocks]] as const),
  ]);
  const building: Array<Class<unknown>> = [];

  const build = <C>(type: Buildable<C>): C => {
    if (instances.has(type)) return instances.get(type) as C;
    const implementation = BOUND.get(type);
    if (implementation) {
      instances.set(type, build(implementation));
      return instances.get(type) as C;
    }
    const path = [...building, type].map((t) => t.name).join(' -> ');
    if (building.includes(type)) throw new Error(`newTestService: ${path} is a cycle`);
    if (type.name.endsWith('Repository')) throw new Error(`newTestService: ${path}: add ${type.name} to MOCKED; storage is never real here`);
    const params: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', type);
    if (params === undefined && type.length > 0) throw new Error(`newTestService: ${path} has no parameter types (is it @Injectable()?)`);
    building.push(type);
    const args = (params ?? []).map((param, i) => {
      if (typeof param !== 'function' || [Object, String, Number, Boolean, Array, Function].includes(param as never)) {
        throw new Error(`newTestService: parameter ${i} of ${path} is not a class it can build`);
      }
      return build(param as Buildable<unknown>);
    });
    building.pop();
    const instance = new type(...args);
    instances.set(type, instance);
    return instance;
  };

  const sut = build(Service);
  return {
    sut,
    mocks,
    get: <C>(type: Class<C>): C => {
      if (!instances.has(type)) throw new Error(`newTestService: ${type.name} is not part of ${Service.name}'s graph`);
      return instances.get(type) as C;
    },
  };
}
