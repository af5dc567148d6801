// `unenrolled: enroll`: the enrollment link a sign-in sends. Every failed attempt of an unenrolled
// user would otherwise mint a new link (a key each); instead the user's still-valid link is sent
// again, so one user holds at most one sign-in link at a time.
import type { Redis, Cluster } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import type { EnrollmentLinks, EnrollmentMethod, Sealer } from '@radius-mfa/mfa';

/** Lifetime of a link sent at sign-in: time to find the phone, not an hour for whoever reads the NAS logs. */
export const SIGN_IN_ENROLLMENT_LINK_TTL_MS = 15 * 60_000;
/** A link with less left than this is not sent again: the person needs time to open it. */
const MIN_REMAINING_MS = 2 * 60_000;

export interface SignInEnrollmentDependencies {
  readonly redis: Redis | Cluster;
  readonly keys: RedisKeys;
  readonly sealer: Sealer;
  readonly enrollmentLinks: EnrollmentLinks;
}

/** The token is a bearer credential: kept sealed, bound to its user. */
function tokenAad(user: string): string {
  return `sign-in-enrollment-link:${user}`;
}

async function reusableToken(deps: SignInEnrollmentDependencies, user: string, methods: readonly EnrollmentMethod[], now: number): Promise<string | undefined> {
  const sealed = await deps.redis.get(deps.keys.signInEnrollmentLink(user));
  if (sealed === null) return undefined;
  let token: string;
  try {
    token = deps.sealer.unseal(Buffer.from(sealed, 'base64'), tokenAad(user)).toString('utf8');
  } catch {
    // Sealed under a retired key, or damaged: a fresh link replaces it.
    return undefined;
  }
  const link = await deps.enrollmentLinks.get(token);
  const usable = link !== undefined && link.user === user && methods.every((m) => link.methods.includes(m)) && link.expiresAt - now >= MIN_REMAINING_MS;
  return usable ? token : undefined;
}

/** The token of this user's sign-in enrollment link: the still-valid one, or a new one. */
export async function signInEnrollmentToken(deps: SignInEnrollmentDependencies, user: string, methods: readonly EnrollmentMethod[], now = Date.now()): Promise<string> {
  const reused = await reusableToken(deps, user, methods, now);
  if (reused !== undefined) return reused;
  const { token, expiresAt } = await deps.enrollmentLinks.create(user, { methods, ttlMs: SIGN_IN_ENROLLMENT_LINK_TTL_MS });
  const sealed = deps.sealer.seal(Buffer.from(token, 'utf8'), tokenAad(user)).toString('base64');
  await deps.redis.set(deps.keys.signInEnrollmentLink(user), sealed, 'PX', Math.max(expiresAt - Date.now(), 1));
  return token;
}
