import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Injectable, Logger } from '@nestjs/common';
import { Client, InvalidCredentialsError, NoSuchObjectError, ResultCodeError } from 'ldapts';
import { ErrorCodes, normalizeUsername, type Role, USERNAME_PATTERN } from '@parley/contract';
import { AppConfig } from '../config/app-config';
import { ParleyError } from '../common/parley-error';

/** One person as the directory describes them, for Parley. */
export interface DirectoryPerson {
  dn: string;
  username: string;
  displayName: string;
  /** From the mapped groups, admin before staff before client; null: in none of them. */
  role: Role | null;
}

/** An open, service-bound connection for several lookups (one sync pass). */
export interface DirectorySession {
  lookup(username: string): Promise<DirectoryPerson | null>;
  close(): Promise<void>;
}

/** RFC 4515: a value inside a filter cannot end it or add a wildcard. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** DNs compare without case and without spaces after commas, as directories treat them. */
const sameDn = (a: string, b: string) => a.replace(/,\s+/g, ',').toLowerCase() === b.replace(/,\s+/g, ',').toLowerCase();

const asList = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : String(item)));

/**
 * The company's LDAP directory (OpenLDAP, Active Directory): finds people with the service
 * account (PARLEY_LDAP_BIND_DN), checks a password by binding as the person, and reads their
 * role from the mapped groups, through `memberOf` on the person or the group's `member` (or
 * `uniqueMember`), whichever the directory keeps. A connection per sign-in, one per sync pass:
 * sign-ins are rare and a long-lived connection would need reconnecting after every outage.
 */
@Injectable()
export class LdapDirectory {
  private readonly logger = new Logger('Directory');
  private readonly ca: Buffer | undefined;

  constructor(private readonly config: AppConfig) {
    const file = config.values.PARLEY_LDAP_CA_FILE;
    this.ca = file ? readFileSync(file) : undefined;
  }

  get enabled(): boolean {
    return this.config.values.PARLEY_LDAP_URL !== undefined;
  }

  /**
   * The person behind `username` if `password` is theirs; null for a wrong password or a name
   * the directory does not know (or that Parley cannot hold). Throws DIRECTORY_UNAVAILABLE
   * when the directory cannot be reached or refuses the service account.
   */
  async authenticate(username: string, password: string): Promise<DirectoryPerson | null> {
    // An empty password is an "unauthenticated bind", which many directories accept for any DN.
    if (password.length === 0) return null;
    const session = await this.open();
    try {
      const person = await session.lookup(username);
      if (!person) return null;
      const asPerson = this.client();
      try {
        await this.secure(asPerson);
        await asPerson.bind(person.dn, password);
        return person;
      } catch (error) {
        if (error instanceof InvalidCredentialsError) return null;
        throw this.unavailable(error);
      } finally {
        await asPerson.unbind().catch(() => undefined);
      }
    } finally {
      await session.close();
    }
  }

  /** A connection bound as the service account; throws DIRECTORY_UNAVAILABLE. */
  async open(): Promise<DirectorySession> {
    const values = this.config.values;
    const client = this.client();
    try {
      await this.secure(client);
      if (values.PARLEY_LDAP_BIND_DN && values.PARLEY_LDAP_BIND_PASSWORD) {
        await client.bind(values.PARLEY_LDAP_BIND_DN, values.PARLEY_LDAP_BIND_PASSWORD);
      }
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw this.unavailable(error);
    }
    return {
      lookup: async (username) => {
        try {
          return await this.lookup(client, username);
        } catch (error) {
          throw this.unavailable(error);
        }
      },
      close: () => client.unbind().catch(() => undefined),
    };
  }

  private client(): Client {
    const url = this.config.values.PARLEY_LDAP_URL!;
    return new Client({
      url,
      timeout: 10_000,
      connectTimeout: 5_000,
      // For ldaps:// only: ldapts's StartTLS upgrade fails on a client that has tlsOptions.
      tlsOptions: this.ca && url.startsWith('ldaps:') ? { ca: [this.ca] } : undefined,
    });
  }

  private async secure(client: Client): Promise<void> {
    if (!this.config.values.PARLEY_LDAP_STARTTLS) return;
    // Without `host` Node checks the certificate against "localhost"; a name also goes as SNI.
    const host = new URL(this.config.values.PARLEY_LDAP_URL!).hostname.replace(/^\[|\]$/g, '');
    await client.startTLS({ host, ...(isIP(host) ? {} : { servername: host }), ...(this.ca ? { ca: [this.ca] } : {}) });
  }

  private async lookup(client: Client, rawName: string): Promise<DirectoryPerson | null> {
    const values = this.config.values;
    const username = normalizeUsername(rawName);
    if (!USERNAME_PATTERN.test(username)) return null;
    const displayAttribute = values.PARLEY_LDAP_DISPLAY_NAME_ATTRIBUTE;
    const { searchEntries } = await client.search(values.PARLEY_LDAP_SEARCH_BASE!, {
      scope: 'sub',
      filter: values.PARLEY_LDAP_USER_FILTER.replaceAll('{username}', escapeFilterValue(username)),
      attributes: ['dn', displayAttribute, 'cn', 'memberOf'],
      // Two entries for one name is a filter that does not identify people: nobody signs in with it.
      sizeLimit: 2,
    });
    if (searchEntries.length !== 1) {
      if (searchEntries.length > 1) this.logger.warn(`PARLEY_LDAP_USER_FILTER finds more than one entry for ${username}; refusing the sign-in`);
      return null;
    }
    const entry = searchEntries[0];
    const memberOf = asList(entry.memberOf);
    const displayName = (asList(entry[displayAttribute])[0] ?? asList(entry.cn)[0] ?? username).trim().slice(0, 64) || username;
    const groups: Array<[Role, string | undefined]> = [
      ['admin', values.PARLEY_LDAP_ADMIN_GROUP],
      ['staff', values.PARLEY_LDAP_STAFF_GROUP],
      ['client', values.PARLEY_LDAP_CLIENT_GROUP],
    ];
    // A directory that keeps memberOf keeps it for every group; only without it are the groups asked.
    const isMember = (group: string) =>
      memberOf.length > 0 ? Promise.resolve(memberOf.some((dn) => sameDn(dn, group))) : this.groupHasMember(client, group, entry.dn);
    let role: Role | null = null;
    for (const [candidate, group] of groups) {
      if (group && (await isMember(group))) {
        role = candidate;
        break;
      }
    }
    return { dn: entry.dn, username, displayName, role };
  }

  /** For directories without memberOf (plain OpenLDAP): the group's own member list. */
  private async groupHasMember(client: Client, group: string, dn: string): Promise<boolean> {
    const value = escapeFilterValue(dn);
    try {
      const { searchEntries } = await client.search(group, {
        scope: 'base',
        filter: `(|(member=${value})(uniqueMember=${value}))`,
        attributes: ['dn'],
      });
      return searchEntries.length > 0;
    } catch (error) {
      if (error instanceof NoSuchObjectError) {
        this.logger.warn(`The group ${group} is not in the directory; nobody gets its role`);
        return false;
      }
      throw error;
    }
  }

  private unavailable(error: unknown): ParleyError {
    if (error instanceof ParleyError) return error;
    // A result code is the directory answering (the service account refused, a bad base):
    // a setting to fix; anything else is the network.
    const what = error instanceof ResultCodeError ? `answered ${error.message}` : `could not be reached: ${String(error)}`;
    this.logger.warn(`The company directory ${what}`);
    return new ParleyError(ErrorCodes.DirectoryUnavailable, 'The company directory cannot be reached; try again in a moment (local accounts still sign in)');
  }
}
