import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import { UserRepository } from '../storage/user.repository';
import { DirectoryAccounts } from './directory-accounts.service';
import { LdapDirectory } from './ldap-directory.service';

/** Accounts read from the database per step of a pass. */
const PAGE = 200;

/**
 * Every PARLEY_LDAP_SYNC_SECONDS (and once at start), each enabled directory account is looked
 * up again: removed from the directory or from every mapped group, it is disabled; in another
 * group, its role changes; each time its sessions and sockets end on every node and the audit
 * log says so. When the directory cannot be reached the pass stops and changes nothing: an
 * outage must not lock everyone out. Every node runs it; UserRepository.updateIf lets one of
 * them make (and record) each change.
 */
@Injectable()
export class DirectorySync implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Directory');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly directory: LdapDirectory,
    private readonly accounts: DirectoryAccounts,
    private readonly users: UserRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.directory.enabled) return;
    this.timer = setInterval(() => void this.runOnce(), this.config.values.PARLEY_LDAP_SYNC_SECONDS * 1000);
    this.timer.unref();
    void this.runOnce();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; a pass already under way is joined, not doubled. Never rejects. */
  runOnce(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: unknown) => {
        if (error instanceof ParleyError) this.logger.warn('Directory sync skipped: the directory cannot be reached; nobody was changed');
        else this.logger.error(`Directory sync failed: ${String(error)}`);
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    const session = await this.directory.open();
    try {
      let after: string | null = null;
      for (;;) {
        const page = await this.users.enabledFromSource('ldap', after, PAGE);
        for (const user of page) {
          const person = await session.lookup(user.username);
          if (!person) await this.accounts.remove(user, 'not_in_directory');
          else if (!person.role) await this.accounts.remove(user, 'in_no_group');
          else {
            const changed = (await this.accounts.changeRole(user, person.role)) ?? user;
            await this.accounts.refresh(changed, { displayName: person.displayName, externalId: `ldap:${person.dn}` });
          }
        }
        if (page.length < PAGE) return;
        after = page[page.length - 1].username;
      }
    } finally {
      await session.close();
    }
  }
}
