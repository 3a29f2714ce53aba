import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { Verification } from '@parley/contract';
import type { UserRow } from '../storage/database.types';

export interface Connection {
  socketId: string;
  ip: string;
  userAgent: string;
  connectedAt: Date;
  verification: Verification;
  /** Set once verify_user succeeded. */
  user: UserRow | null;
  /** What a refused verify_user claimed, kept for the admin roster (as the prototype did). */
  claimedType: string | null;
  claimedName: string | null;
  /** The session the socket connected with, if any. */
  sessionId: number | null;
}

export type VerifiedConnection = Connection & { user: UserRow; verification: 'VERIFIED' };

export type RegistryChange =
  | { kind: 'upsert'; connection: Connection }
  | { kind: 'remove'; socketId: string };

/** A user's first device came online, or their last one went away. */
export interface PresenceChange {
  user: UserRow;
  online: boolean;
}

export interface NewConnection {
  socketId: string;
  ip: string;
  userAgent: string;
  sessionId: number | null;
}

/** Who is connected right now, on this node: socket <-> user <-> role, and how to find them. */
@Injectable()
export class UserRegistryService {
  private readonly connections = new Map<string, Connection>();
  private readonly socketsByUser = new Map<number, Set<string>>();
  private readonly changeSubject = new Subject<RegistryChange>();
  /** Every connect, verify, refusal and disconnect, as it happens. */
  readonly changes$ = this.changeSubject.asObservable();
  private readonly presenceSubject = new Subject<PresenceChange>();
  readonly presence$ = this.presenceSubject.asObservable();

  connect(info: NewConnection): Connection {
    const connection: Connection = {
      ...info,
      connectedAt: new Date(),
      verification: 'NOT VERIFIED',
      user: null,
      claimedType: null,
      claimedName: null,
    };
    this.connections.set(info.socketId, connection);
    this.changeSubject.next({ kind: 'upsert', connection });
    return connection;
  }

  verify(socketId: string, user: UserRow): VerifiedConnection | undefined {
    const connection = this.connections.get(socketId);
    if (!connection) return undefined;
    const sameUser = connection.user?.id === user.id;
    if (!sameUser) this.unlinkUser(connection);
    connection.user = user;
    connection.verification = 'VERIFIED';
    connection.claimedType = user.role;
    connection.claimedName = user.username;
    let sockets = this.socketsByUser.get(user.id);
    if (!sockets) this.socketsByUser.set(user.id, (sockets = new Set()));
    sockets.add(socketId);
    this.changeSubject.next({ kind: 'upsert', connection });
    if (!sameUser && sockets.size === 1) this.presenceSubject.next({ user, online: true });
    return connection as VerifiedConnection;
  }

  /** A refused verify_user: the socket loses any identity it had. */
  refuse(socketId: string, claimedType: string | null, claimedName: string | null): void {
    const connection = this.connections.get(socketId);
    if (!connection) return;
    this.unlinkUser(connection);
    connection.user = null;
    connection.verification = 'NOT AUTHORISED';
    connection.claimedType = claimedType;
    connection.claimedName = claimedName;
    this.changeSubject.next({ kind: 'upsert', connection });
  }

  disconnect(socketId: string): Connection | undefined {
    const connection = this.connections.get(socketId);
    if (!connection) return undefined;
    this.unlinkUser(connection);
    this.connections.delete(socketId);
    this.changeSubject.next({ kind: 'remove', socketId });
    return connection;
  }

  get(socketId: string): Connection | undefined {
    return this.connections.get(socketId);
  }

  getVerified(socketId: string): VerifiedConnection | undefined {
    const connection = this.connections.get(socketId);
    return connection?.verification === 'VERIFIED' ? (connection as VerifiedConnection) : undefined;
  }

  isOnline(userId: number): boolean {
    return this.socketsByUser.has(userId);
  }

  /** Socket ids of every device a user has verified on. */
  socketsOf(userId: number): string[] {
    return [...(this.socketsByUser.get(userId) ?? [])];
  }

  all(): IterableIterator<Connection> {
    return this.connections.values();
  }

  get size(): number {
    return this.connections.size;
  }

  private unlinkUser(connection: Connection): void {
    if (!connection.user) return;
    const sockets = this.socketsByUser.get(connection.user.id);
    if (!sockets?.delete(connection.socketId)) return;
    if (sockets.size === 0) {
      this.socketsByUser.delete(connection.user.id);
      this.presenceSubject.next({ user: connection.user, online: false });
    }
  }
}
