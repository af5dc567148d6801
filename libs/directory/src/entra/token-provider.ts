import { ConfidentialClientApplication, type AuthenticationResult } from '@azure/msal-node';
import { credentialError } from './aadsts.js';
import { loadMsalCredential } from './credential.js';
import { EntraError } from './errors.js';
import { HttpsTransport, msalNetworkClient, retryAfterSeconds } from './https-transport.js';
import { ENTRA_DEFAULTS, trimEndpoint, type EntraOptions } from './options.js';

/** Tokens are renewed this long before they expire, so none expires in flight. */
const RENEW_BEFORE_MS = 5 * 60_000;
/** msal's own throttle when Entra gives no Retry-After. */
const MSAL_DEFAULT_THROTTLE_MS = 60_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * One ConfidentialClientApplication per tenant and app: client-credentials tokens for Graph
 * and ACS, cached until five minutes before expiry, with concurrent requests for the same
 * scope sharing one round trip. Also runs ROPC for the first factor.
 */
export class EntraTokenProvider {
  readonly options: EntraOptions;
  readonly transport: HttpsTransport;
  readonly app: ConfidentialClientApplication;
  readonly #cache = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<string>>();
  /** Until when msal refuses token requests locally after a 429/5xx (it does not say so itself). */
  #throttledUntil = 0;

  constructor(options: EntraOptions, transport?: HttpsTransport) {
    this.options = options;
    this.transport = transport ?? new HttpsTransport({ ...(options.caCertificates ? { caCertificates: options.caCertificates } : {}), timeoutMs: options.requestTimeoutMs ?? ENTRA_DEFAULTS.requestTimeoutMs });
    const authorityHost = trimEndpoint(options.authorityHost ?? ENTRA_DEFAULTS.authorityHost);
    const authority = new URL(`${authorityHost}/${options.tenantId}`);
    if (authority.protocol !== 'https:') throw new EntraError('config', `authorityHost must be https: ${authorityHost}`);
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        authority: authority.href,
        // Known authority: no instance discovery at login.microsoftonline.com, so sovereign
        // clouds and stand-ins work offline.
        knownAuthorities: [authority.host],
        ...loadMsalCredential(options),
      },
      system: {
        networkClient: msalNetworkClient(this.transport, (status, headers) => this.#observeTokenResponse(status, headers)),
      },
    });
  }

  get graphEndpoint(): string {
    return trimEndpoint(this.options.graphEndpoint ?? ENTRA_DEFAULTS.graphEndpoint);
  }

  /** Whether msal is holding back token requests after a 429/5xx. */
  get throttledUntil(): number {
    return this.#throttledUntil > Date.now() ? this.#throttledUntil : 0;
  }

  #observeTokenResponse(status: number, headers: Record<string, string>): void {
    if (status === 429 || (status >= 500 && status < 600)) {
      const seconds = retryAfterSeconds(headers);
      this.#throttledUntil = Date.now() + (seconds === undefined ? MSAL_DEFAULT_THROTTLE_MS : seconds * 1000);
    }
  }

  errorContext(): { clientId: string; tenantId: string; throttled: boolean } {
    return { clientId: this.options.clientId, tenantId: this.options.tenantId, throttled: this.throttledUntil > 0 };
  }

  /** A client-credentials access token for `resource/.default`. */
  accessToken(scope: string): Promise<string> {
    const cached = this.#cache.get(scope);
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > Date.now()) return Promise.resolve(cached.token);
    const pending = this.#pending.get(scope);
    if (pending) return pending;
    const request = this.#acquire(scope).finally(() => this.#pending.delete(scope));
    this.#pending.set(scope, request);
    return request;
  }

  async #acquire(scope: string): Promise<string> {
    let result: AuthenticationResult | null;
    try {
      result = await this.app.acquireTokenByClientCredential({ scopes: [scope] });
    } catch (error) {
      throw credentialError(error, this.errorContext());
    }
    if (!result?.accessToken) throw new EntraError('protocol', 'Entra answered without an access token');
    this.#cache.set(scope, { token: result.accessToken, expiresAt: result.expiresOn?.getTime() ?? Date.now() });
    return result.accessToken;
  }

  graphToken(): Promise<string> {
    return this.accessToken(`${this.graphEndpoint}/.default`);
  }

  acsToken(): Promise<string> {
    return this.accessToken(this.options.acsScope ?? ENTRA_DEFAULTS.acsScope);
  }

  /** Forgets a token the resource refused (401), so the next call gets a fresh one. */
  forget(scope: string): void {
    this.#cache.delete(scope);
  }

  close(): void {
    this.#cache.clear();
    this.transport.close();
  }
}
