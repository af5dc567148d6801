// Entra as the user source of a client (`firstFactor: entra`, or `userSource: entra`): after the
// first factor, Graph says whether the account exists and is enabled, which of the client's
// rule groups it is in (checkMemberGroups, cached), and its mobile number for SMS and calls.
import { EntraError, type EntraDirectory, type EntraUser } from '@radius-mfa/directory';

export type EntraLookup =
  | { readonly status: 'found'; readonly groups: readonly string[]; readonly mobile?: string }
  /** Unknown or disabled account, or the app is misconfigured (fails closed whatever the failMode). */
  | { readonly status: 'reject'; readonly reason: 'entra-user-unknown' | 'entra-account-disabled' | 'entra-misconfigured'; readonly error?: EntraError }
  /** Graph or Entra down or throttling: the client's failMode decides. */
  | { readonly status: 'unavailable'; readonly error: Error };

export interface EntraUserSource {
  /** `withGroups`: the client has group rules, so membership is asked for (one cached call). */
  lookup(user: string, withGroups: boolean, signal: AbortSignal): Promise<EntraLookup>;
}

function failed(error: unknown): EntraLookup {
  if (error instanceof EntraError && !error.isOutage) return { status: 'reject', reason: 'entra-misconfigured', error };
  return { status: 'unavailable', error: error instanceof Error ? error : new Error(String(error)) };
}

export function createEntraUserSource(directory: EntraDirectory): EntraUserSource {
  return {
    async lookup(user, withGroups, signal) {
      let found: EntraUser | undefined;
      try {
        found = await directory.resolveUser(user, signal);
        if (!found) return { status: 'reject', reason: 'entra-user-unknown' };
        if (!found.enabled) return { status: 'reject', reason: 'entra-account-disabled' };
        // groupsForPolicy asks about the union of every Entra client's rule groups: one cache entry per user.
        const groups = withGroups ? await directory.groupsForPolicy(found.id, signal) : [];
        return { status: 'found', groups, ...(found.phones.mobile !== undefined && { mobile: found.phones.mobile }) };
      } catch (error) {
        return failed(error);
      }
    },
  };
}
