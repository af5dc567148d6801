// Per-client policy that needs no Redis: who skips the second factor, who may sign in at all,
// and what happens to a user with no second factor.
import { cidrContains, parseCidr, parseIp, type ClientConfig, type SecondFactorMethod, type Cidr } from '@radius-mfa/config';

export type BypassReason = 'bypass-user' | 'bypass-group' | 'bypass-calling-station';

export interface ClientPolicy {
  readonly requireGroups: ReadonlySet<string>;
  bypassFor(user: string, groups: readonly string[], callingStationId: string | undefined): BypassReason | undefined;
  readonly unenrolled: ClientConfig['unenrolled'];
  readonly enrollGraceDays: number;
  readonly failMode: ClientConfig['failMode'];
}

/** Calling-Station-Id is an IP for VPNs (match as CIDR) and a MAC for Wi-Fi (match as text). */
interface StationRule {
  readonly cidr?: Cidr;
  readonly text: string;
}

function stationRule(entry: string): StationRule {
  try {
    return { cidr: parseCidr(entry.trim()), text: entry.trim().toLowerCase() };
  } catch {
    return { text: normaliseStationText(entry) };
  }
}

/** `AA-BB-CC-DD-EE-FF`, `aa:bb:cc:dd:ee:ff` and `aabb.ccdd.eeff` are one MAC address. */
function normaliseStationText(value: string): string {
  const text = value.trim().toLowerCase();
  const hex = text.replace(/[-:.]/g, '');
  return /^[0-9a-f]{12}$/.test(hex) ? hex : text;
}

export function compilePolicy(client: Pick<ClientConfig, 'bypass' | 'requireGroups' | 'unenrolled' | 'enrollGraceDays' | 'failMode'>, normalizeUser: (name: string) => string): ClientPolicy {
  const users = new Set(client.bypass.users.map(normalizeUser));
  const groups = new Set(client.bypass.groups.map((g) => g.toLowerCase()));
  const stations = client.bypass.callingStationIds.map(stationRule);
  return {
    requireGroups: new Set(client.requireGroups.map((g) => g.toLowerCase())),
    unenrolled: client.unenrolled,
    enrollGraceDays: client.enrollGraceDays,
    failMode: client.failMode,
    bypassFor(user, userGroups, callingStationId) {
      if (users.has(user)) return 'bypass-user';
      if (userGroups.some((g) => groups.has(g.toLowerCase()))) return 'bypass-group';
      if (callingStationId !== undefined && stations.length > 0) {
        const ip = parseIp(callingStationId.trim());
        const text = normaliseStationText(callingStationId);
        for (const rule of stations) {
          if (rule.cidr ? ip !== undefined && cidrContains(rule.cidr, ip) : rule.text === text) return 'bypass-calling-station';
        }
      }
      return undefined;
    },
  };
}

/** requireGroups: empty means anyone who passed the first factor; otherwise one group in common. */
export function inRequiredGroups(policy: ClientPolicy, groups: readonly string[]): boolean {
  return policy.requireGroups.size === 0 || groups.some((g) => policy.requireGroups.has(g.toLowerCase()));
}

/** What a user can use here: the client's methods, in its order, that the user is enrolled for. */
export interface Enrollment {
  readonly totp: boolean;
  readonly push: boolean;
  readonly sms: boolean;
  readonly voice: boolean;
}

export function usableMethods(allowed: readonly SecondFactorMethod[], enrollment: Enrollment): SecondFactorMethod[] {
  return allowed.filter((method) => enrollment[method]);
}

export type UnenrolledDecision =
  | { readonly action: 'reject'; readonly reason: 'unenrolled' }
  | { readonly action: 'accept'; readonly reason: 'unenrolled-allow' }
  | { readonly action: 'accept'; readonly reason: 'unenrolled-grace'; readonly daysLeft: number }
  | { readonly action: 'enroll'; readonly reason: 'unenrolled-enroll' };

const DAY_MS = 86_400_000;

/**
 * A user with no usable second factor. With `enroll` and a grace period, the first such login
 * starts the user's grace (`graceStartedAt`, kept by the caller) and logins inside it pass.
 */
export function decideUnenrolled(policy: ClientPolicy, graceStartedAt: number | undefined, now: number): UnenrolledDecision {
  if (policy.unenrolled === 'allow') return { action: 'accept', reason: 'unenrolled-allow' };
  if (policy.unenrolled === 'reject') return { action: 'reject', reason: 'unenrolled' };
  if (policy.enrollGraceDays > 0 && graceStartedAt !== undefined) {
    const left = graceStartedAt + policy.enrollGraceDays * DAY_MS - now;
    if (left > 0) return { action: 'accept', reason: 'unenrolled-grace', daysLeft: Math.ceil(left / DAY_MS) };
  }
  return { action: 'enroll', reason: 'unenrolled-enroll' };
}
