// The continuation of an Access-Challenge: the State attribute (RFC 2865 §5.24) names a Redis
// hash that remembers who is half-way through a sign-in, and at which step.
// PROTOCOL-CASES 21-22: at least 128 random bits, bound to client and user, single use, expiring.
import { randomBytes } from 'node:crypto';
import type { Redis, Cluster } from 'ioredis';
import { LuaScript, type RedisKeys } from '@radius-mfa/contracts';
import type { SecondFactorMethod } from '@radius-mfa/config';

/** 16 random bytes: RFC 5080 §2.1.1 wants State unpredictable; PROTOCOL-CASES 21 asks 128 bits. */
export const STATE_BYTES = 16;

export type ChallengeStep = 'code' | 'push' | 'menu' | 'sms' | 'voice';

export interface ChallengeState {
  readonly client: string;
  /** Normalised user name the State was issued to. */
  readonly user: string;
  readonly step: ChallengeStep;
  /** Out-of-band challenge (push) or one-time code (sms) this step waits on. */
  readonly challengeId?: string;
  readonly groups: readonly string[];
  /** Wrong answers so far in this sign-in. */
  readonly attempts: number;
  /** Methods the menu offered (step menu). */
  readonly methods?: readonly SecondFactorMethod[];
  /** Epoch ms when the first Access-Request of this sign-in arrived (audit latency). */
  readonly startedAt: number;
  /** First-factor reply attributes to return on the final Accept, sealed (they may be sensitive). */
  readonly sealedAttributes?: string;
}

export type ConsumeResult =
  | { readonly status: 'ok'; readonly state: ChallengeState }
  /** Unknown, expired, or never issued. */
  | { readonly status: 'unknown' }
  /** Already used by another admission (a replay; PROTOCOL-CASES 22). */
  | { readonly status: 'replayed' }
  /** Presented by another client or for another user than it was issued to. */
  | { readonly status: 'mismatch' };

/**
 * consumeState
 * KEYS[1] state hash
 * ARGV[1] admission consuming it (`txn:receivedAt`), ARGV[2] client presenting it, ARGV[3] user presenting it
 * Result: { 'ok', field, value, ... } | { 'unknown' } | { 'replayed' } | { 'mismatch' }
 * Single use, but idempotent per admission: a retried job of the same admission consumes it again;
 * the packet replayed after its txn expired is a new admission, so it is 'replayed'.
 * A mismatch does not consume it, so a State seen on the wire cannot be burnt by another client.
 */
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'unknown' } end
local bound = redis.call('HMGET', KEYS[1], 'client', 'user', 'consumedBy')
if bound[1] ~= ARGV[2] or bound[2] ~= ARGV[3] then return { 'mismatch' } end
if bound[3] and bound[3] ~= ARGV[1] then return { 'replayed' } end
redis.call('HSET', KEYS[1], 'consumedBy', ARGV[1])
local out = { 'ok' }
for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do out[#out + 1] = v end
return out
`;

/**
 * createState
 * KEYS[1] state hash
 * ARGV[1] lifetime (ms), ARGV[2..] field/value pairs
 * Result: 1 created; 0 the random value collided with a live State (the caller draws again).
 */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

const consumeScript = new LuaScript(CONSUME);
const createScript = new LuaScript(CREATE);

function toFields(state: ChallengeState): string[] {
  const fields: string[] = [
    'client', state.client,
    'user', state.user,
    'step', state.step,
    'groups', JSON.stringify(state.groups),
    'attempts', String(state.attempts),
    'startedAt', String(state.startedAt),
  ];
  if (state.challengeId !== undefined) fields.push('challengeId', state.challengeId);
  if (state.methods !== undefined) fields.push('methods', state.methods.join(','));
  if (state.sealedAttributes !== undefined) fields.push('sealedAttributes', state.sealedAttributes);
  return fields;
}

const STEPS: ReadonlySet<string> = new Set<ChallengeStep>(['code', 'push', 'menu', 'sms', 'voice']);

function fromFields(flat: readonly string[]): ChallengeState | undefined {
  const hash = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) hash.set(flat[i]!, flat[i + 1]!);
  const step = hash.get('step');
  if (step === undefined || !STEPS.has(step)) return undefined;
  const methods = hash.get('methods');
  const challengeId = hash.get('challengeId');
  const sealedAttributes = hash.get('sealedAttributes');
  return {
    client: hash.get('client') ?? '',
    user: hash.get('user') ?? '',
    step: step as ChallengeStep,
    groups: JSON.parse(hash.get('groups') ?? '[]') as string[],
    attempts: Number(hash.get('attempts') ?? 0),
    startedAt: Number(hash.get('startedAt') ?? 0),
    ...(challengeId !== undefined && { challengeId }),
    ...(methods !== undefined && { methods: methods.split(',') as SecondFactorMethod[] }),
    ...(sealedAttributes !== undefined && { sealedAttributes }),
  };
}

export interface StateStore {
  /** Stores `state` under a fresh random State value and returns that value (the attribute's bytes). */
  issue(state: ChallengeState, ttlMs: number): Promise<Buffer>;
  /** Consumes the State presented by `client` for `user` in admission `admission` (`admissionKey`). */
  consume(value: Buffer, admission: string, client: string, user: string): Promise<ConsumeResult>;
}

export function createStateStore(redis: Redis | Cluster, keys: RedisKeys): StateStore {
  return {
    async issue(state, ttlMs) {
      for (;;) {
        const value = randomBytes(STATE_BYTES);
        if ((await createScript.run(redis, [keys.state(value.toString('hex'))], [ttlMs, ...toFields(state)])) === 1) return value;
      }
    },
    async consume(value, admission, client, user) {
      // Our States are exactly STATE_BYTES long; anything else was never issued here.
      if (value.length !== STATE_BYTES) return { status: 'unknown' };
      const [status, ...rest] = (await consumeScript.run(redis, [keys.state(value.toString('hex'))], [admission, client, user])) as string[];
      if (status !== 'ok') return { status: status === 'replayed' ? 'replayed' : status === 'mismatch' ? 'mismatch' : 'unknown' };
      const state = fromFields(rest);
      return state ? { status: 'ok', state } : { status: 'unknown' };
    },
  };
}
