import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import { LuaScript, pairsToRecord } from '@radius-mfa/contracts';
import { normaliseMatchNumber } from './number-matching.js';
import { UserField } from './user-fields.js';
import { approvalTokenKey } from './link-tokens.js';
import { claimRequestCount } from './request-count-claim.js';

/**
 * Out-of-band challenges (push, and any method decided outside the RADIUS exchange): the worker
 * creates one, the results-api decides it from an approve or deny token. Tokens are random 256-bit
 * values handed to the person once; Redis keeps only their SHA-256.
 */

export type ChallengeStatus = 'pending' | 'approved' | 'denied' | 'fraud' | 'expired';
export type ChallengeAction = 'approve' | 'deny';

/** The RADIUS request a challenge answers, enough to build the final response. */
export interface ChallengeRequest {
  readonly identifier: number;
  /** Request Authenticator, hex. */
  readonly authenticator: string;
  /** Proxy-State attributes in order, hex (RFC 2865 §5.33: copied unmodified into the reply). */
  readonly proxyStates: readonly string[];
}

export interface NewChallenge {
  readonly user: string;
  readonly client: string;
  readonly method: string;
  readonly txn: string;
  readonly callingStationId: string;
  readonly numberToMatch?: number;
  /** Unix ms. */
  readonly expiresAt: number;
  readonly request: ChallengeRequest;
  /** The client's prompt mode (auto | challenge | append). */
  readonly prompt: string;
}

export interface ChallengeRecord extends NewChallenge {
  readonly challengeId: string;
  readonly status: ChallengeStatus;
  readonly createdAt: number;
  readonly decidedAt?: number;
  /** Why it was denied: 'number-mismatch' | 'user-denied' | 'fraud-reported'. */
  readonly reason?: string;
}

/** What the approval page may show: no number, no request, no token. */
export interface ChallengePublicView {
  readonly challengeId: string;
  readonly action: ChallengeAction;
  readonly user: string;
  readonly client: string;
  readonly callingStationId: string;
  readonly method: string;
  readonly expiresAt: number;
  readonly status: ChallengeStatus;
  readonly numberMatching: boolean;
}

export type CreateChallengeResult =
  | { readonly created: true; readonly challengeId: string; readonly approveToken: string; readonly denyToken: string }
  /** The transaction already has a challenge (a retried job): send nothing again. */
  | { readonly created: false; readonly challengeId: string };

export type DecisionResult =
  | { readonly outcome: 'approved' | 'fraud'; readonly challenge: ChallengeRecord }
  | { readonly outcome: 'denied'; readonly reason: 'number-mismatch' | 'user-denied'; readonly challenge: ChallengeRecord }
  /** Already decided or expired: single use. */
  | { readonly outcome: 'conflict'; readonly reason: 'decided' | 'expired'; readonly challenge: ChallengeRecord }
  | { readonly outcome: 'not-found' };

/** Why a challenge closed before anyone could answer: its provider was down, or refused it. */
export type UndeliveredReason = 'undelivered-unreachable' | 'undelivered-refused';

export interface ChallengeStoreOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** How long a challenge stays readable after it expires (final status, 409s); default 300 s. */
  readonly retainSeconds?: number;
}

export interface ChallengeStore {
  createChallenge(challenge: NewChallenge): Promise<CreateChallengeResult>;
  /** True for the first caller only, while the challenge lives: who counts its push or call (request-count-claim.ts). */
  claimRequestCount(challengeId: string): Promise<boolean>;
  /**
   * Decides by an approve or deny token. `deny` turns an approve token into a denial (the approval
   * page holds only the approve link); a deny token can never approve.
   */
  decideChallenge(token: string, decision?: { number?: number | string; fraud?: boolean; deny?: boolean }): Promise<DecisionResult>;
  /**
   * Decides by challenge id, for channels whose callbacks are authenticated otherwise (a signed
   * voice-call callback URL). Never reachable from a person's link; a challenge with a number to match is denied this way (no number).
   */
  decideChallengeById(challengeId: string, decision: { approve: boolean }): Promise<DecisionResult>;
  getChallenge(challengeId: string): Promise<ChallengeRecord | undefined>;
  getChallengeByToken(token: string): Promise<ChallengePublicView | undefined>;
  challengeIdForTxn(txn: string): Promise<string | undefined>;
  listPendingChallenges(options?: { limit?: number; now?: number }): Promise<ChallengeRecord[]>;
  countPendingChallenges(now?: number): Promise<number>;
  /**
   * Marks a pending challenge expired; false if it was already decided or is unknown. `undelivered`:
   * closed because its push or call could not go out, and why (a retried job reads it back).
   */
  expireChallenge(challengeId: string, undelivered?: UndeliveredReason): Promise<boolean>;
}

/**
 * Creates a challenge unless the transaction has one (SET NX), atomically.
 *
 * KEYS[1]  txn -> challenge id      KEYS[2]  challenge hash      KEYS[3]  pending sorted set
 * KEYS[4]  approve token key        KEYS[5]  deny token key
 * ARGV[1]  challenge id  ARGV[2]  keep-until, Unix ms  ARGV[3]  expiresAt, Unix ms
 * ARGV[4]  approve token value  ARGV[5]  deny token value  ARGV[6]  now, Unix ms
 * ARGV[7..]  challenge fields, name/value pairs
 * Returns  {1, id} when created, {0, existing id} when the transaction already had one
 */
const CREATE = new LuaScript(`
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
local keepUntil = ARGV[2]
-- Challenges that ran out undecided leave the pending set here, so it never grows without bound.
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[6])
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', keepUntil)
redis.call('HSET', KEYS[2], unpack(ARGV, 7))
redis.call('PEXPIREAT', KEYS[2], keepUntil)
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('SET', KEYS[4], ARGV[4], 'PXAT', keepUntil)
redis.call('SET', KEYS[5], ARGV[5], 'PXAT', keepUntil)
return {1, ARGV[1]}
`);

/**
 * Decides a pending challenge once: approve (with the number when matching), deny, or fraud.
 *
 * KEYS[1]  token key  KEYS[2]  challenge hash  KEYS[3]  pending sorted set  KEYS[4]  user hash
 * ARGV[1]  the token key's value as read (action:challengeId:user)  ARGV[2]  now, Unix ms
 * ARGV[3]  number given, or ''  ARGV[4]  '1' for a fraud report  ARGV[5]  challenge id
 * ARGV[6]  '1' to deny whatever the token's action (an approve token may always deny: the page's Deny)
 * ARGV[7]  '1' when the caller proved the decision another way (a signed channel callback): no token
 *          check, KEYS[1] is then the challenge hash again and ARGV[1] is built from the challenge
 * Returns  {outcome, reason, field, value, ...} with the challenge hash after the decision;
 *          outcome: approved | denied | fraud | conflict | not-found
 */
const DECIDE = new LuaScript(`
if ARGV[7] ~= '1' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'not-found', ''} end
local status = redis.call('HGET', KEYS[2], 'status')
if not status then return {'not-found', ''} end
local function result(outcome, reason)
  local out = {outcome, reason}
  for _, v in ipairs(redis.call('HGETALL', KEYS[2])) do out[#out + 1] = v end
  return out
end
if status ~= 'pending' then return result('conflict', 'decided') end
local now = tonumber(ARGV[2])
if now >= tonumber(redis.call('HGET', KEYS[2], 'expiresAt')) then
  redis.call('HSET', KEYS[2], 'status', 'expired', 'decidedAt', now)
  redis.call('ZREM', KEYS[3], ARGV[5])
  return result('conflict', 'expired')
end
local action = string.sub(ARGV[1], 1, string.find(ARGV[1], ':') - 1)
if ARGV[6] == '1' then action = 'deny' end
local outcome, reason
if action == 'approve' then
  local expected = redis.call('HGET', KEYS[2], 'numberToMatch')
  if expected and expected ~= ARGV[3] then
    outcome, reason = 'denied', 'number-mismatch'
  else
    outcome, reason = 'approved', ''
  end
elseif ARGV[4] == '1' then
  outcome, reason = 'fraud', 'fraud-reported'
else
  outcome, reason = 'denied', 'user-denied'
end
redis.call('HSET', KEYS[2], 'status', outcome, 'reason', reason, 'decidedAt', now)
redis.call('ZREM', KEYS[3], ARGV[5])
if outcome == 'approved' then
  redis.call('HDEL', KEYS[4], '${UserField.consecutiveDenials}')
elseif outcome == 'fraud' then
  redis.call('HSET', KEYS[4], '${UserField.fraudLockedAt}', now)
  redis.call('HINCRBY', KEYS[4], '${UserField.fraudReports}', 1)
else
  -- A wrong number counts as a denial too: it is what a person bombed with pushes would type.
  redis.call('HINCRBY', KEYS[4], '${UserField.consecutiveDenials}', 1)
end
return result(outcome, reason)
`);

/**
 * KEYS[1]  challenge hash  KEYS[2]  pending sorted set   ARGV[1]  challenge id  ARGV[2]  now, Unix ms
 * ARGV[3]  why it closes early (UndeliveredReason), or ''
 * Returns  1 if a pending challenge became expired, else 0
 */
const EXPIRE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'expired', 'decidedAt', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[3]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`);

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function tokenValue(action: ChallengeAction, challengeId: string, user: string): string {
  return `${action}:${challengeId}:${user}`;
}

function parseTokenValue(value: string): { action: ChallengeAction; challengeId: string; user: string } | undefined {
  const [action, challengeId] = value.split(':', 2);
  if ((action !== 'approve' && action !== 'deny') || !challengeId) return undefined;
  return { action, challengeId, user: value.slice(action.length + challengeId.length + 2) };
}

function toRecord(hash: Record<string, string>): ChallengeRecord | undefined {
  if (hash['challengeId'] === undefined) return undefined;
  const number = hash['numberToMatch'];
  const decidedAt = hash['decidedAt'];
  const reason = hash['reason'];
  return {
    challengeId: hash['challengeId'],
    user: hash['user'] ?? '',
    client: hash['client'] ?? '',
    method: hash['method'] ?? '',
    txn: hash['txn'] ?? '',
    callingStationId: hash['callingStationId'] ?? '',
    ...(number !== undefined && { numberToMatch: Number(number) }),
    expiresAt: Number(hash['expiresAt']),
    createdAt: Number(hash['createdAt']),
    request: JSON.parse(hash['request'] ?? '{}') as ChallengeRequest,
    prompt: hash['prompt'] ?? '',
    status: (hash['status'] ?? 'expired') as ChallengeStatus,
    ...(decidedAt !== undefined && { decidedAt: Number(decidedAt) }),
    ...(reason && { reason }),
  };
}

export function createChallengeStore(options: ChallengeStoreOptions): ChallengeStore {
  const { redis, keys } = options;
  const retainMs = (options.retainSeconds ?? 300) * 1000;

  async function getChallenge(challengeId: string): Promise<ChallengeRecord | undefined> {
    return toRecord(await redis.hgetall(keys.challenge(challengeId)));
  }

  async function readToken(token: string): Promise<{ key: string; value: string; parsed: NonNullable<ReturnType<typeof parseTokenValue>> } | undefined> {
    const key = approvalTokenKey(keys, token);
    const value = await redis.get(key);
    const parsed = value === null ? undefined : parseTokenValue(value);
    return value !== null && parsed ? { key, value, parsed } : undefined;
  }

  async function runDecide(
    firstKey: string,
    tokenValueRead: string,
    challengeId: string,
    user: string,
    rest: [number: string, fraud: string, id: string, deny: string, byId: string],
  ): Promise<DecisionResult> {
    const reply = (await DECIDE.run(
      redis,
      [firstKey, keys.challenge(challengeId), keys.pendingChallenges(), keys.user(user)],
      [tokenValueRead, Date.now(), ...rest],
    )) as string[];
    const [outcome, reason] = reply;
    const challenge = toRecord(pairsToRecord(reply, 2));
    if (outcome === 'not-found' || !challenge) return { outcome: 'not-found' };
    if (outcome === 'conflict') return { outcome, reason: reason as 'decided' | 'expired', challenge };
    if (outcome === 'denied') return { outcome, reason: reason as 'number-mismatch' | 'user-denied', challenge };
    return { outcome: outcome as 'approved' | 'fraud', challenge };
  }

  return {
    claimRequestCount: (challengeId) => claimRequestCount(redis, keys.challenge(challengeId)),

    async createChallenge(challenge) {
      const challengeId = randomBytes(16).toString('hex');
      const approveToken = newToken();
      const denyToken = newToken();
      const fields: Record<string, string> = {
        challengeId,
        user: challenge.user,
        client: challenge.client,
        method: challenge.method,
        txn: challenge.txn,
        callingStationId: challenge.callingStationId,
        expiresAt: String(challenge.expiresAt),
        createdAt: String(Date.now()),
        request: JSON.stringify(challenge.request),
        prompt: challenge.prompt,
        status: 'pending',
        ...(challenge.numberToMatch !== undefined && { numberToMatch: String(challenge.numberToMatch) }),
      };
      const [created, id] = (await CREATE.run(
        redis,
        [
          keys.challengeByTxn(challenge.txn),
          keys.challenge(challengeId),
          keys.pendingChallenges(),
          approvalTokenKey(keys, approveToken),
          approvalTokenKey(keys, denyToken),
        ],
        [
          challengeId,
          challenge.expiresAt + retainMs,
          challenge.expiresAt,
          tokenValue('approve', challengeId, challenge.user),
          tokenValue('deny', challengeId, challenge.user),
          Date.now(),
          ...Object.entries(fields).flat(),
        ],
      )) as [number, string];
      return created === 1 ? { created: true, challengeId, approveToken, denyToken } : { created: false, challengeId: id };
    },

    async decideChallenge(token, decision = {}) {
      const found = await readToken(token);
      if (!found) return { outcome: 'not-found' };
      const { challengeId, user } = found.parsed;
      return runDecide(found.key, found.value, challengeId, user, [
        normaliseMatchNumber(decision.number),
        decision.fraud ? '1' : '0',
        challengeId,
        decision.deny || decision.fraud ? '1' : '0',
        '0',
      ]);
    },

    async decideChallengeById(challengeId, decision) {
      const user = await redis.hget(keys.challenge(challengeId), 'user');
      if (user === null) return { outcome: 'not-found' };
      const action: ChallengeAction = decision.approve ? 'approve' : 'deny';
      return runDecide(keys.challenge(challengeId), tokenValue(action, challengeId, user), challengeId, user, ['', '0', challengeId, '0', '1']);
    },


    getChallenge,

    async getChallengeByToken(token) {
      const found = await readToken(token);
      if (!found) return undefined;
      const challenge = await getChallenge(found.parsed.challengeId);
      if (!challenge) return undefined;
      return {
        challengeId: challenge.challengeId,
        action: found.parsed.action,
        user: challenge.user,
        client: challenge.client,
        callingStationId: challenge.callingStationId,
        method: challenge.method,
        expiresAt: challenge.expiresAt,
        status: challenge.status === 'pending' && Date.now() >= challenge.expiresAt ? 'expired' : challenge.status,
        numberMatching: challenge.numberToMatch !== undefined,
      };
    },

    async challengeIdForTxn(txn) {
      return (await redis.get(keys.challengeByTxn(txn))) ?? undefined;
    },

    async listPendingChallenges(listOptions = {}) {
      const now = listOptions.now ?? Date.now();
      const ids = await redis.zrangebyscore(keys.pendingChallenges(), `(${now}`, '+inf', 'LIMIT', 0, listOptions.limit ?? 100);
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(keys.challenge(id));
      const replies = (await pipeline.exec()) ?? [];
      return replies
        .map(([, hash]) => toRecord((hash ?? {}) as Record<string, string>))
        .filter((record): record is ChallengeRecord => record?.status === 'pending');
    },

    async countPendingChallenges(now = Date.now()) {
      return redis.zcount(keys.pendingChallenges(), `(${now}`, '+inf');
    },

    async expireChallenge(challengeId, undelivered) {
      const changed = await EXPIRE.run(redis, [keys.challenge(challengeId), keys.pendingChallenges()], [challengeId, Date.now(), undelivered ?? '']);
      return changed === 1;
    },
  };
}
