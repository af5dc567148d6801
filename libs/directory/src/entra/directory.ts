import type { GraphClient } from './graph-client.js';
import { ENTRA_DEFAULTS, type EntraLoginAttribute, type EntraOptions } from './options.js';
import { TtlCache } from './ttl-cache.js';

export interface EntraUser {
  /** Entra object id. */
  id: string;
  upn: string;
  enabled: boolean;
  /** E.164-ish numbers as Graph stores them ("+1 2065550100"). */
  phones: { mobile?: string; alternateMobile?: string; office?: string };
}

interface GraphUser {
  id: string;
  userPrincipalName: string;
  accountEnabled: boolean | null;
}

interface GraphPhoneMethod {
  phoneNumber: string;
  phoneType: 'mobile' | 'alternateMobile' | 'office';
}

/** Graph takes at most 20 group ids per checkMemberGroups call. */
const CHECK_MEMBER_GROUPS_LIMIT = 20;
/** accountEnabled and onPremisesSamAccountName come back only when $select-ed. */
const USER_SELECT = 'id,userPrincipalName,accountEnabled,onPremisesSamAccountName,mail';
const MAX_NAME_LENGTH = 256;

/** An OData string literal: single quotes doubled (OData v4 ABNF, SQUOTE-in-string). */
function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Which attributes to try for a User-Name, in order. With an alternate login id only that
 * one (as the NPS extension does); otherwise `DOMAIN\name` is a sAMAccountName, a name with
 * `@` a UPN or else a mail address, and a bare name a sAMAccountName.
 */
export function lookupPlan(name: string, alternateLoginId?: EntraLoginAttribute): { attribute: EntraLoginAttribute; value: string }[] {
  const backslash = name.lastIndexOf('\\');
  if (alternateLoginId) {
    const value = alternateLoginId === 'onPremisesSamAccountName' && backslash >= 0 ? name.slice(backslash + 1) : name;
    return [{ attribute: alternateLoginId, value }];
  }
  if (backslash >= 0) return [{ attribute: 'onPremisesSamAccountName', value: name.slice(backslash + 1) }];
  if (name.includes('@')) return [{ attribute: 'userPrincipalName', value: name }, { attribute: 'mail', value: name }];
  return [{ attribute: 'onPremisesSamAccountName', value: name }];
}

/**
 * Users, groups and phones from Microsoft Graph, cached briefly (answers for absent users
 * too, so a spray of unknown names does not become a spray of Graph calls).
 * Errors are EntraErrors; `isOutage` ones go through the client's failMode.
 */
export class EntraDirectory {
  readonly #graph: GraphClient;
  readonly #options: EntraOptions;
  readonly #users: TtlCache<EntraUser | undefined>;
  readonly #groups: TtlCache<string[]>;

  constructor(graph: GraphClient, options: EntraOptions) {
    this.#graph = graph;
    this.#options = options;
    const ttlMs = (options.cacheTtlSeconds ?? ENTRA_DEFAULTS.cacheTtlSeconds) * 1000;
    this.#users = new TtlCache(ttlMs);
    this.#groups = new TtlCache(ttlMs);
  }

  /** The Entra user a RADIUS User-Name stands for; undefined when none or more than one matches. */
  async resolveUser(name: string, signal?: AbortSignal): Promise<EntraUser | undefined> {
    const key = name.toLowerCase();
    const cached = this.#users.get(key);
    if (cached) return cached.value;
    const user = await this.#lookup(name, signal);
    this.#users.set(key, user);
    return user;
  }

  async #lookup(name: string, signal?: AbortSignal): Promise<EntraUser | undefined> {
    // eslint-disable-next-line no-control-regex
    if (name.length === 0 || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f]/.test(name)) return undefined;
    for (const { attribute, value } of lookupPlan(name, this.#options.alternateLoginId)) {
      if (value.length === 0) continue;
      const advanced = attribute === 'onPremisesSamAccountName';
      const query = new URLSearchParams({ $filter: `${attribute} eq ${odataString(value)}`, $select: USER_SELECT, ...(advanced ? { $count: 'true' } : {}) });
      const found = await this.#graph.call<{ value: GraphUser[] }>({
        method: 'GET',
        path: `/users?${query.toString()}`,
        permission: 'User.Read.All',
        // onPremisesSamAccountName is filterable only as an advanced query.
        ...(advanced ? { headers: { consistencylevel: 'eventual' } } : {}),
        ...(signal ? { signal } : {}),
      });
      const matches = found?.value ?? [];
      if (matches.length > 1) return undefined;
      const match = matches[0];
      if (match) return { id: match.id, upn: match.userPrincipalName, enabled: match.accountEnabled === true, phones: await this.#phones(match.id, signal) };
    }
    return undefined;
  }

  async #phones(userId: string, signal?: AbortSignal): Promise<EntraUser['phones']> {
    if (this.#options.readPhoneMethods === false) return {};
    const answer = await this.#graph.call<{ value: GraphPhoneMethod[] }>({
      method: 'GET',
      path: `/users/${encodeURIComponent(userId)}/authentication/phoneMethods`,
      permission: 'UserAuthenticationMethod.Read.All',
      ...(signal ? { signal } : {}),
    });
    const phones: EntraUser['phones'] = {};
    for (const method of answer?.value ?? []) phones[method.phoneType] = method.phoneNumber;
    return phones;
  }

  /** The given groups the user is in, transitively (checkMemberGroups, 20 ids per call). */
  async memberGroupsAmong(userId: string, groupIds: readonly string[], signal?: AbortSignal): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const key = `${userId}|${[...groupIds].sort().join(',')}`;
    const cached = this.#groups.get(key);
    if (cached) return cached.value;
    const member: string[] = [];
    for (let start = 0; start < groupIds.length; start += CHECK_MEMBER_GROUPS_LIMIT) {
      const answer = await this.#graph.call<{ value: string[] }>({
        method: 'POST',
        path: `/users/${encodeURIComponent(userId)}/checkMemberGroups`,
        body: { groupIds: groupIds.slice(start, start + CHECK_MEMBER_GROUPS_LIMIT) },
        permission: 'GroupMember.Read.All',
        ...(signal ? { signal } : {}),
      });
      member.push(...(answer?.value ?? []));
    }
    this.#groups.set(key, member);
    return member;
  }

  async isMemberOfAny(userId: string, groupIds: readonly string[], signal?: AbortSignal): Promise<boolean> {
    return (await this.memberGroupsAmong(userId, groupIds, signal)).length > 0;
  }

  /** Every group the user is in, transitively (getMemberGroups). */
  async allMemberGroups(userId: string, signal?: AbortSignal): Promise<string[]> {
    const key = `${userId}|*`;
    const cached = this.#groups.get(key);
    if (cached) return cached.value;
    const answer = await this.#graph.call<{ value: string[] }>({
      method: 'POST',
      path: `/users/${encodeURIComponent(userId)}/getMemberGroups`,
      body: { securityEnabledOnly: false },
      permission: 'GroupMember.Read.All',
      ...(signal ? { signal } : {}),
    });
    const groups = answer?.value ?? [];
    this.#groups.set(key, groups);
    return groups;
  }

  /** The groups `groupsOf` reports: the policy's groups when configured, else all of them. */
  groupsForPolicy(userId: string, signal?: AbortSignal): Promise<string[]> {
    const policyGroups = this.#options.policyGroupIds;
    return policyGroups && policyGroups.length > 0 ? this.memberGroupsAmong(userId, policyGroups, signal) : this.allMemberGroups(userId, signal);
  }

  clear(): void {
    this.#users.clear();
    this.#groups.clear();
  }
}
