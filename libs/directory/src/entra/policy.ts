import type { EntraDirectory, EntraUser } from './directory.js';
import { EntraError } from './errors.js';

export interface EntraPolicy {
  failMode: 'open' | 'closed';
  /** Members of any of these groups skip the second factor. */
  bypassGroupIds?: readonly string[];
  /** When set, only members of one of these groups may sign in at all. */
  requiredGroupIds?: readonly string[];
}

export type EntraPolicyDecision =
  | { decision: 'second-factor'; user: EntraUser }
  | { decision: 'bypass'; user: EntraUser }
  | { decision: 'reject'; reason: string }
  /** failMode open during an outage: accepted without Entra's word, as the NPS extension does. */
  | { decision: 'allow-unverified'; reason: string };

/**
 * What Entra's directory says about one sign-in, before any second factor: unknown and
 * disabled users are refused, group rules applied, and an outage (Graph down, throttled)
 * goes through the client's failMode. Misconfiguration (a missing permission) is not an
 * outage and fails closed whatever the failMode, so a mistake never opens the door.
 */
export async function evaluateEntraPolicy(directory: EntraDirectory, userName: string, policy: EntraPolicy, signal?: AbortSignal): Promise<EntraPolicyDecision> {
  try {
    const user = await directory.resolveUser(userName, signal);
    if (!user) return { decision: 'reject', reason: 'no such Entra user' };
    if (!user.enabled) return { decision: 'reject', reason: 'Entra account disabled' };
    if (policy.requiredGroupIds && policy.requiredGroupIds.length > 0 && !(await directory.isMemberOfAny(user.id, policy.requiredGroupIds, signal))) {
      return { decision: 'reject', reason: 'not in a required group' };
    }
    if (policy.bypassGroupIds && policy.bypassGroupIds.length > 0 && (await directory.isMemberOfAny(user.id, policy.bypassGroupIds, signal))) {
      return { decision: 'bypass', user };
    }
    return { decision: 'second-factor', user };
  } catch (error) {
    const outage = error instanceof EntraError && error.isOutage;
    const reason = error instanceof Error ? error.message : String(error);
    if (outage && policy.failMode === 'open') return { decision: 'allow-unverified', reason };
    return { decision: 'reject', reason };
  }
}
