/** Which Graph attribute a RADIUS User-Name is matched against (the NPS extension's LDAP_ALTERNATE_LOGINID_ATTRIBUTE). */
export type EntraLoginAttribute = 'userPrincipalName' | 'onPremisesSamAccountName' | 'mail';

/** The narrow slice of `directories.entra` this package reads. */
export interface EntraOptions {
  tenantId: string;
  clientId: string;
  /** Preferred credential. `key`/`cert` are PEM text or paths to PEM files. */
  clientCertificate?: { key: string; cert: string };
  clientSecret?: string;
  /** `https://login.microsoftonline.com`; Azure Government `https://login.microsoftonline.us`; China `https://login.chinacloudapi.cn`. */
  authorityHost?: string;
  /** `https://graph.microsoft.com`; Government `https://graph.microsoft.us`; China `https://microsoftgraph.chinacloudapi.cn`. */
  graphEndpoint?: string;
  /** ACS resource endpoint, e.g. `https://NAME.communication.azure.com`. */
  acsEndpoint?: string;
  /** Token scope for ACS; the public-cloud value is what the Azure SDK requests. */
  acsScope?: string;
  /** Match the User-Name against this one attribute only; unset: UPN, then mail, then sAMAccountName. */
  alternateLoginId?: EntraLoginAttribute;
  /** `firstFactor: entra` (ROPC). Off unless set. */
  ropc?: boolean;
  /** ACS sender number (E.164) for SMS codes. */
  smsFrom?: string;
  /** PEM CA certificate(s) trusted instead of the system store: a TLS-inspecting proxy's CA, or a test stand-in. */
  caCertificates?: string;
  /** Lifetime of cached user and group answers (default 60 s). */
  cacheTtlSeconds?: number;
  /** Per-request timeout for Entra, Graph and ACS (default 10 s). */
  requestTimeoutMs?: number;
  /** Longest 429 Retry-After the client waits out inside one request (default 2 s); longer ones fail fast as `throttled`. */
  maxRetryWaitMs?: number;
  /** Group object ids the policy cares about: `groupsOf` answers membership among these with checkMemberGroups. Unset: all groups (getMemberGroups). */
  policyGroupIds?: string[];
  /** Whether to read users' phone methods (needs UserAuthenticationMethod.Read.All; default true). */
  readPhoneMethods?: boolean;
}

/** A structural logger (pino fits). Never given secrets. */
export interface EntraLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export const silentEntraLogger: EntraLogger = { warn: () => undefined, error: () => undefined };

export const ENTRA_DEFAULTS = {
  authorityHost: 'https://login.microsoftonline.com',
  graphEndpoint: 'https://graph.microsoft.com',
  acsScope: 'https://communication.azure.com//.default',
  cacheTtlSeconds: 60,
  requestTimeoutMs: 10_000,
  maxRetryWaitMs: 2_000,
} as const;

/** Removes a trailing slash so endpoints concatenate with `/path` predictably. */
export function trimEndpoint(url: string): string {
  return url.replace(/\/+$/, '');
}
