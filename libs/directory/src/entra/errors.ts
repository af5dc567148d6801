/**
 * Why Entra, Graph or ACS could not be used. Each code names something an operator can fix
 * or wait out; the message says how.
 * - `unknown-app` (AADSTS700016), `bad-secret` (AADSTS7000215), `certificate-expired`,
 *   `certificate-rejected` (AADSTS700027), `clock-skew` (AADSTS700024), `permission-missing`
 *   (Graph 403), `consent-required` (AADSTS65001), `tenant-not-found` (AADSTS90002):
 *   configuration, found by `doctor` or the first request.
 * - `throttled` (429 / msal's local throttle) and `unavailable` (5xx, network, timeout): outages,
 *   where the client's failMode decides.
 * - `config`: options that cannot work; `protocol`: an answer that breaks the protocol.
 */
export type EntraErrorCode =
  | 'unknown-app'
  | 'bad-secret'
  | 'certificate-expired'
  | 'certificate-rejected'
  | 'clock-skew'
  | 'permission-missing'
  | 'consent-required'
  | 'tenant-not-found'
  | 'throttled'
  | 'unavailable'
  | 'config'
  | 'protocol';

export class EntraError extends Error {
  readonly code: EntraErrorCode;
  /** The AADSTS number Entra answered, when there was one. */
  readonly aadsts: number | undefined;
  /** Seconds until Entra or Graph accepts requests again (429 Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: EntraErrorCode, message: string, options: { cause?: unknown; aadsts?: number; retryAfterSeconds?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'EntraError';
    this.code = code;
    this.aadsts = options.aadsts;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** An outage rather than a misconfiguration: the failMode applies. */
  get isOutage(): boolean {
    return this.code === 'throttled' || this.code === 'unavailable';
  }
}
