import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError } from 'ldapts';
import { DirectoryError } from '../errors.js';
import type { FirstFactorProvider, FirstFactorRequest, FirstFactorResult } from '../provider.js';
import { userBindFailureReason } from './active-directory-bind-error.js';
import { assertUserFilterTemplate, buildUserFilter } from './filter-escape.js';
import { groupNameFromDn } from './group-name.js';

/** `directories.ldap` as the provider needs it. */
export interface LdapDirectoryOptions {
  /** `ldap://host:port` or `ldaps://host:port`. */
  url: string;
  bindDn: string;
  bindPassword: string;
  userSearch: { base: string; filter: string };
  /** Attribute of the user entry that lists its groups; `memberOf` by default. */
  groupAttribute?: string;
  /** Upgrade an `ldap://` connection with StartTLS (RFC 4511 §4.14) before any bind. */
  startTls?: boolean;
  /** `ca`: the CA bundle that signed the server certificate, as PEM text or the path of a PEM file. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Bounds one whole authentication (connect, TLS, binds, search); 5 s by default. */
  timeoutSeconds?: number;
}

interface FoundUser {
  dn: string;
  groups: string[];
}

/** The config gives a file path (resolved by @radius-mfa/config); tests and embedders may pass PEM. */
function readCaBundle(ca: string | Buffer): string | Buffer {
  if (Buffer.isBuffer(ca) || ca.includes('-----BEGIN')) return ca;
  try {
    return readFileSync(ca);
  } catch (cause) {
    throw new DirectoryError('config', `directories.ldap.tls.ca: cannot read "${ca}"`, { cause });
  }
}

/** Why one step failed, so the outcome and its reason can be told apart. */
class LdapStepError extends Error {
  constructor(
    readonly outcome: 'reject' | 'unavailable',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'LdapStepError';
  }
}

/**
 * firstFactor `ldap`: find the user with the service account, then bind as that user
 * (RFC 4513 §5.1.3) on a second connection, so the user's password is checked by the
 * directory itself. One short-lived connection per step: nothing to go stale, and a
 * user bind never changes what the service connection may see.
 */
export class LdapProvider implements FirstFactorProvider {
  readonly kind = 'ldap' as const;
  readonly #options: LdapDirectoryOptions;
  readonly #groupAttribute: string;
  readonly #timeoutMs: number;
  readonly #tlsOptions: ConnectionOptions;
  readonly #clients = new Set<Client>();

  constructor(options: LdapDirectoryOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch (cause) {
      throw new DirectoryError('config', `directories.ldap.url "${options.url}" is not a URL`, { cause });
    }
    if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') {
      throw new DirectoryError('config', `directories.ldap.url must start with ldap:// or ldaps://, got "${options.url}"`);
    }
    if (options.startTls && url.protocol === 'ldaps:') {
      throw new DirectoryError('config', 'directories.ldap: startTls is for ldap:// URLs; ldaps:// is TLS from the start');
    }
    assertUserFilterTemplate(options.userSearch.filter);
    this.#options = options;
    this.#groupAttribute = options.groupAttribute ?? 'memberOf';
    this.#timeoutMs = (options.timeoutSeconds ?? 5) * 1000;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    this.#tlsOptions = {
      rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
      ...(options.tls?.ca === undefined ? {} : { ca: readCaBundle(options.tls.ca) }),
      // StartTLS upgrades an existing socket, so the name to verify must be given (RFC 4513 §3.1.3).
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
    };
  }

  async authenticate(request: FirstFactorRequest, context: { signal: AbortSignal }): Promise<FirstFactorResult> {
    // An empty password makes a simple bind "unauthenticated" and it succeeds (RFC 4513 §5.1.2).
    if (request.password === undefined || request.password.length === 0) {
      return { outcome: 'reject', reason: 'LDAP needs a PAP password (none or empty in the request)' };
    }
    if (request.user === '') return { outcome: 'reject', reason: 'empty user name' };
    const password = request.password.toString('utf8');
    const signal = AbortSignal.any([context.signal, AbortSignal.timeout(this.#timeoutMs)]);
    try {
      const found = await this.#findUser(request.user, signal);
      if (!found) return { outcome: 'reject', reason: 'unknown user' };
      await this.#withClient(signal, async (client) => {
        try {
          await client.bind(found.dn, password);
        } catch (error) {
          if (error instanceof InvalidCredentialsError) throw new LdapStepError('reject', userBindFailureReason(error.message));
          throw error;
        }
      });
      return { outcome: 'accept', groups: found.groups, replyAttributes: [] };
    } catch (error) {
      return this.#failure(error, signal);
    }
  }

  async groupsOf(user: string, signal: AbortSignal): Promise<string[]> {
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]);
    try {
      return (await this.#findUser(user, bounded))?.groups ?? [];
    } catch {
      return [];
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#clients].map((client) => client.unbind()));
    this.#clients.clear();
  }

  /** The user's entry found with the service account; undefined when there is none. */
  async #findUser(user: string, signal: AbortSignal): Promise<FoundUser | undefined> {
    return this.#withClient(signal, async (client) => {
      try {
        await client.bind(this.#options.bindDn, this.#options.bindPassword);
      } catch (error) {
        if (error instanceof InvalidCredentialsError) {
          throw new LdapStepError('unavailable', `the service account (bindDn ${this.#options.bindDn}) was refused: invalid credentials`);
        }
        throw error;
      }
      const { searchEntries } = await client.search(this.#options.userSearch.base, {
        scope: 'sub',
        filter: buildUserFilter(this.#options.userSearch.filter, user),
        attributes: [this.#groupAttribute],
        // Two are enough to tell "one user" from "ambiguous".
        sizeLimit: 2,
        timeLimit: Math.ceil(this.#timeoutMs / 1000),
      });
      if (searchEntries.length === 0) return undefined;
      if (searchEntries.length > 1) throw new LdapStepError('reject', 'the user search matched more than one entry');
      const entry = searchEntries[0]!;
      const raw = entry[this.#groupAttribute] ?? [];
      const values = (Array.isArray(raw) ? raw : [raw]).map((value) => (Buffer.isBuffer(value) ? value.toString('utf8') : value));
      return { dn: entry.dn, groups: values.map(groupNameFromDn) };
    });
  }

  /** Runs `step` on a fresh connection (StartTLS first when configured), closed afterwards or on abort. */
  async #withClient<T>(signal: AbortSignal, step: (client: Client) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    const client = new Client({
      url: this.#options.url,
      timeout: this.#timeoutMs,
      connectTimeout: this.#timeoutMs,
      // ldapts speaks TLS from the first byte whenever tlsOptions is set, so only for ldaps://.
      ...(this.#options.url.startsWith('ldaps:') ? { tlsOptions: this.#tlsOptions } : {}),
    });
    this.#clients.add(client);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([
        (async () => {
          if (this.#options.startTls) await client.startTLS(this.#tlsOptions);
          return step(client);
        })(),
        aborted,
      ]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
      this.#clients.delete(client);
      // Unbind closes the socket; on abort it also ends whatever the step still waits for.
      await client.unbind().catch(() => undefined);
    }
  }

  #failure(error: unknown, signal: AbortSignal): FirstFactorResult {
    if (error instanceof LdapStepError) return { outcome: error.outcome, reason: error.reason };
    if (signal.aborted) {
      const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
      return { outcome: 'unavailable', reason: timedOut ? `LDAP did not answer within ${this.#timeoutMs} ms` : 'LDAP request aborted' };
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { outcome: 'unavailable', reason: `LDAP server ${this.#options.url} failed: ${detail}` };
  }
}
