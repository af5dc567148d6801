import type { FirstFactorContext, FirstFactorProvider, FirstFactorRequest, FirstFactorResult } from '../provider.js';
import { classifyRopcFailure } from './aadsts.js';
import type { EntraConnection } from './connection.js';
import { EntraError } from './errors.js';
import { silentEntraLogger, type EntraLogger } from './options.js';

/**
 * `firstFactor: entra`: the password checked by Entra through ROPC
 * (acquireTokenByUsernamePassword). Microsoft deprecates ROPC; it works only for cloud and
 * password-hash-synced users (not federated, not pass-through), and Conditional Access that
 * demands MFA refuses it. Off unless `ropc: true`.
 */
export class EntraFirstFactorProvider implements FirstFactorProvider {
  readonly kind = 'entra' as const;
  readonly #connection: EntraConnection;
  readonly #logger: EntraLogger;
  readonly #ownsConnection: boolean;
  readonly #readGroups: boolean;

  /**
   * `ownsConnection`: `close()` closes the connection too (leave false when the SMS sender or policy share it).
   * `readGroups: false`: the accept carries no groups, for a caller that reads them itself after
   * the password (the worker's Entra policy step, where an outage meets the client's failMode).
   */
  constructor(connection: EntraConnection, options: { logger?: EntraLogger; ownsConnection?: boolean; readGroups?: boolean } = {}) {
    if (connection.options.ropc !== true) {
      throw new EntraError('config', 'firstFactor: entra uses ROPC, which is off: set directories.entra.ropc: true (deprecated by Microsoft; cloud or password-hash-synced users only)');
    }
    this.#connection = connection;
    this.#logger = options.logger ?? silentEntraLogger;
    this.#ownsConnection = options.ownsConnection ?? false;
    this.#readGroups = options.readGroups ?? true;
  }

  async authenticate(request: FirstFactorRequest, context: FirstFactorContext): Promise<FirstFactorResult> {
    if (!request.password) return { outcome: 'reject', reason: 'Entra ROPC needs a PAP password (CHAP and MS-CHAPv2 cannot be checked by Entra)' };
    const { directory, tokens } = this.#connection;
    let user;
    try {
      user = await directory.resolveUser(request.user, context.signal);
    } catch (error) {
      return this.#failure(error);
    }
    if (!user) return { outcome: 'reject', reason: 'no such Entra user (or more than one match)' };
    if (!user.enabled) return { outcome: 'reject', reason: 'Entra account disabled (accountEnabled false)' };

    const throttledUntil = tokens.throttledUntil;
    if (throttledUntil > 0) {
      // msal's throttle key leaves out the user name: every user fails locally until it lifts.
      const reason = `Entra ROPC held back by msal until ${new Date(throttledUntil).toISOString()} after a 429/5xx from Entra`;
      this.#logger.warn({ tenantId: tokens.options.tenantId, until: new Date(throttledUntil).toISOString() }, `${reason}; the clients' failMode applies to every Entra sign-in meanwhile`);
      return { outcome: 'unavailable', reason };
    }
    try {
      const result = await tokens.app.acquireTokenByUsernamePassword({
        username: user.upn,
        password: request.password.toString('utf8'),
        scopes: [`${tokens.graphEndpoint}/User.Read`],
      });
      // ROPC leaves the user's tokens in msal's memory cache: drop them, nothing reuses them.
      if (result?.account) await tokens.app.getTokenCache().removeAccount(result.account);
      // The token must be for the user that was looked up, not merely for someone.
      if (result?.uniqueId !== user.id) return { outcome: 'reject', reason: 'Entra issued a token for a different user than the one looked up' };
    } catch (error) {
      const verdict = classifyRopcFailure(error, tokens.errorContext());
      if (verdict.outcome === 'unavailable') {
        this.#logger.error({ tenantId: tokens.options.tenantId, reason: verdict.reason }, "Entra ROPC unavailable; the clients' failMode applies");
        return verdict;
      }
      if (verdict.misconfiguration) {
        this.#logger.error({ tenantId: tokens.options.tenantId, code: verdict.misconfiguration.code }, `Entra ROPC misconfigured, every Entra sign-in is rejected: ${verdict.reason}`);
      }
      return { outcome: 'reject', reason: verdict.reason };
    }
    if (!this.#readGroups) return { outcome: 'accept', groups: [], replyAttributes: [] };
    try {
      return { outcome: 'accept', groups: await directory.groupsForPolicy(user.id, context.signal), replyAttributes: [] };
    } catch (error) {
      return this.#failure(error);
    }
  }

  async groupsOf(name: string, signal: AbortSignal): Promise<string[]> {
    const user = await this.#connection.directory.resolveUser(name, signal);
    return user ? this.#connection.directory.groupsForPolicy(user.id, signal) : [];
  }

  /** An outage goes to failMode; a misconfiguration (missing permission) rejects whatever the failMode. */
  #failure(error: unknown): FirstFactorResult {
    const reason = error instanceof Error ? error.message : String(error);
    this.#logger.error({ tenantId: this.#connection.options.tenantId, code: error instanceof EntraError ? error.code : 'unknown' }, `Entra directory lookup failed: ${reason}`);
    return error instanceof EntraError && !error.isOutage ? { outcome: 'reject', reason } : { outcome: 'unavailable', reason };
  }

  async close(): Promise<void> {
    if (this.#ownsConnection) this.#connection.close();
  }
}
