import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { AppConfig } from '../config/app-config';
import {
  ServerEvents,
  type LegacyRosterEntry,
  type RosterDiffPayload,
  type RosterSnapshotAck,
  type UpdateWebAppPayload,
} from '../contract/protocol';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import { UserRegistryService } from '../registry/user-registry.service';
import { toLegacyEntry, toRosterEntry } from './roster.mapper';

/**
 * Keeps admins' rosters current without work growing with the square of connections: changes
 * are collected for a short window, then each admin room gets one emit: a diff of only the
 * changed sockets for Parley clients, the full map for prototype pages (which need it).
 */
@Injectable()
export class RosterService implements OnModuleInit, OnModuleDestroy {
  private version = 0;
  private readonly changed = new Set<string>();
  private readonly removed = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private subscription: Subscription | null = null;

  constructor(
    private readonly registry: UserRegistryService,
    private readonly broadcaster: Broadcaster,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.subscription = this.registry.changes$.subscribe((change) => {
      if (change.kind === 'upsert') {
        this.changed.add(change.connection.socketId);
        this.removed.delete(change.connection.socketId);
      } else {
        this.changed.delete(change.socketId);
        this.removed.add(change.socketId);
      }
      this.timer ??= setTimeout(() => this.flush(), this.config.values.PARLEY_ROSTER_INTERVAL_MS);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
  }

  snapshot(): RosterSnapshotAck {
    return { version: this.version, connections: [...this.registry.all()].map(toRosterEntry) };
  }

  legacySnapshot(): UpdateWebAppPayload {
    const users: Record<string, LegacyRosterEntry> = {};
    for (const connection of this.registry.all()) users[connection.socketId] = toLegacyEntry(connection);
    // The prototype sends this text on every roster change, connects and disconnects alike.
    return { message: 'USER CONNECTED', users };
  }

  /** Sends pending changes now. Runs on the timer; public so shutdown and tests can force it. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.changed.size === 0 && this.removed.size === 0) return;
    this.version += 1;
    const upserted = [];
    for (const socketId of this.changed) {
      const connection = this.registry.get(socketId);
      if (connection) upserted.push(toRosterEntry(connection));
    }
    const diff: RosterDiffPayload = { version: this.version, upserted, removed: [...this.removed] };
    this.changed.clear();
    this.removed.clear();
    if (this.broadcaster.localRoomSize(Rooms.rosterDiff) > 0) {
      this.broadcaster.emitLocal([Rooms.rosterDiff], ServerEvents.RosterDiff, diff);
    }
    if (this.broadcaster.localRoomSize(Rooms.rosterLegacy) > 0) {
      this.broadcaster.emitLocal([Rooms.rosterLegacy], ServerEvents.UpdateWebApp, this.legacySnapshot());
    }
  }
}
