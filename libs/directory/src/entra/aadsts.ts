import { EntraError } from './errors.js';

/**
 * The AADSTS number of an msal error. msal types `errorNo` as a string but fills it with the
 * first of `error_codes`, a number at run time; the error class depends on `suberror` and
 * tells nothing reliable, so classification goes by this number alone.
 */
export function aadstsNumber(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errorNo' in error)) return undefined;
  const value = Number((error as { errorNo: unknown }).errorNo);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The EntraError an msal failure on the app's own credential stands for. */
export function credentialError(error: unknown, context: { clientId: string; tenantId: string; throttled: boolean }): EntraError {
  if (error instanceof EntraError) return error;
  const code = aadstsNumber(error);
  const detail = error instanceof Error ? error.message : String(error);
  const options = { cause: error, ...(code ? { aadsts: code } : {}) };
  switch (code) {
    case 700016:
      return new EntraError('unknown-app', `Entra does not know application ${context.clientId} in tenant ${context.tenantId} (AADSTS700016): check clientId and tenantId, and that the app is registered in this tenant and cloud (authorityHost).`, options);
    case 7000215:
      return new EntraError('bad-secret', `Entra rejected the client secret of ${context.clientId} (AADSTS7000215): use the secret's Value, not its Secret ID, and check it has not expired; better, use a certificate.`, options);
    case 7000222:
      return new EntraError('bad-secret', `The client secret of ${context.clientId} has expired (AADSTS7000222): create a new one, or use a certificate.`, options);
    case 700027:
      return /expired/i.test(detail)
        ? new EntraError('certificate-expired', `Entra says the certificate of ${context.clientId} has expired (AADSTS700027): upload a new certificate to the app registration and point clientCertificate at it.`, options)
        : new EntraError('certificate-rejected', `Entra rejected the certificate assertion of ${context.clientId} (AADSTS700027): the certificate is not registered on the app (compare its SHA-256 thumbprint) or the key does not match.`, options);
    case 700024:
      return new EntraError('clock-skew', `Entra says the client assertion is outside its valid time (AADSTS700024): this machine's clock is wrong; check NTP (timedatectl).`, options);
    case 65001:
      return new EntraError('consent-required', `The app ${context.clientId} lacks admin consent (AADSTS65001): grant admin consent for its API permissions.`, options);
    case 90002:
      return new EntraError('tenant-not-found', `Tenant ${context.tenantId} not found (AADSTS90002): check tenantId and authorityHost (sovereign clouds have their own).`, options);
    case 90033:
    case 50196:
      return new EntraError('unavailable', `Entra is temporarily unavailable (AADSTS${code}).`, options);
    default:
      break;
  }
  if (context.throttled) return new EntraError('throttled', 'Entra answered 429 or 5xx and msal holds back token requests until Retry-After (default 60 s).', options);
  if (code === undefined) return new EntraError('unavailable', `Entra token request failed: ${detail}`, options);
  return new EntraError('protocol', `Entra refused the token request (AADSTS${code}): ${detail}`, options);
}

/** How a ROPC (username/password) failure counts for the first factor. */
export type RopcVerdict =
  | { outcome: 'reject'; reason: string; /** Set when the app's own configuration is at fault, not the user. */ misconfiguration?: EntraError }
  | { outcome: 'unavailable'; reason: string };

/**
 * ROPC failures by AADSTS number. 50076/50079/50158/53003 are sign-in policy refusals and are
 * never read as "password correct": Entra may answer them before or without checking the
 * password, so an accept on them would let a wrong password through.
 */
const ROPC_REJECTS: ReadonlyMap<number, string> = new Map([
  [50126, 'invalid username or password'],
  [50034, 'user not found in Entra'],
  [50056, 'no cloud password (federated or pass-through user; ROPC needs cloud or password-hash-synced users)'],
  [50057, 'account disabled'],
  [50053, 'account locked or sign-in blocked for suspicious activity'],
  [50055, 'password expired'],
  [50144, 'Active Directory password expired'],
  [50173, 'password changed; the grant is no longer valid'],
  [50076, 'Conditional Access requires MFA for ROPC (AADSTS50076): not treated as a correct password'],
  [50079, 'MFA registration required (AADSTS50079): not treated as a correct password'],
  [50158, 'external security challenge required (AADSTS50158): not treated as a correct password'],
  [53003, 'blocked by Conditional Access (AADSTS53003)'],
  [53000, 'device not compliant with Conditional Access (AADSTS53000)'],
  [50105, 'user not assigned to the application (AADSTS50105)'],
  [50059, 'no tenant-identifying information (AADSTS50059)'],
]);

export function classifyRopcFailure(error: unknown, context: { clientId: string; tenantId: string; throttled: boolean }): RopcVerdict {
  const code = aadstsNumber(error);
  const reason = code === undefined ? undefined : ROPC_REJECTS.get(code);
  if (reason) return { outcome: 'reject', reason };
  const credential = credentialError(error, context);
  if (credential.isOutage) return { outcome: 'unavailable', reason: credential.message };
  if (credential.code === 'protocol') return { outcome: 'reject', reason: `Entra refused the sign-in (AADSTS${code ?? '?'})` };
  // The app's own configuration is broken (bad secret, expired certificate...): not an outage,
  // so failMode open never turns a configuration mistake into open doors.
  return { outcome: 'reject', reason: credential.message, misconfiguration: credential };
}
