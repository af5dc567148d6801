// The decision state machine for one Access-Request.
//
//   no State ──▶ first factor ──▶ groups, bypass ──▶ enrolled methods ──▶ by prompt:
//     auto      push now, hold the request (prepared Accept/Reject)
//     append    code in the password → verify now; `,push` → hold; `,sms` `,call` → challenge
//     challenge one method → its challenge; several → menu challenge
//   State ──▶ consume (bound to client and user, single use) ──▶ by step:
//     code  verify the TOTP      push  approved? pending → challenge again
//     menu  start the chosen one sms, voice  verify the code sent
import type { Redis, Cluster } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import type { Config, SecondFactorMethod } from '@radius-mfa/config';
import { clientUsesEntra, type FirstFactorResult, type RawAttribute } from '@radius-mfa/directory';
import {
  enrollmentUrl,
  providerFailure,
  SealError,
  type EnrollmentLinks,
  type EnrollmentMethod,
  type ProviderFailure,
  type PushDecision,
  type Sealer,
  type SignInUser,
  type TotpVerifyOutcome,
  type UserRecord,
  type UserStore,
} from '@radius-mfa/mfa';
import { ANSWERED_TTL_MS } from '@radius-mfa/transactions';
import type { RadiusAttribute, RadiusPacket } from '@radius-mfa/radius-protocol';
import type { Logger } from '@radius-mfa/runtime';
import { splitAppendedPassword, type AppendedFactor } from './append.js';
import { acceptAttributes } from './attributes.js';
import type { ClientRuntime } from './clients.js';
import { accept, reject, type Decision, type DecisionRecord, type FinalDecision, type SignedVerdict } from './decision.js';
import { enrollGraceStartedAt } from './enrollment-grace.js';
import type { EntraUserSource } from './entra-user-source.js';
import type { FirstFactorProviders } from './first-factors.js';
import type { IncomingRequest } from './incoming.js';
import { decideUnenrolled, inRequiredGroups, usableMethods } from './policy.js';
import { signInEnrollmentToken } from './sign-in-enrollment-link.js';
import { Prompts, parseMenuChoice } from './prompts.js';
import { pollPush, startPush, type PushSettings, type PushStart } from './push.js';
import { checkPhoneCode, sendPhoneCode, type PhoneCodeSettings, type PhoneCodeStart } from './phone-codes.js';
import type { ChallengeState, ChallengeStep, StateStore } from './state-store.js';
import { checkTotpCode, type TotpSettings } from './totp.js';
import { startVoiceCall, type VoiceCallSettings, type VoiceCallStart } from './voice-call.js';

/** Wrong answers (code, menu choice) in one sign-in before the Reject. */
export const MAX_ANSWERS = 3;
/** How long a person has to type a code or pick from the menu. */
const ANSWER_STATE_TTL_MS = 180_000;
/** The prepared verdicts outlive the push by this much, so a last-second approval still lands. */
const HOLD_MARGIN_MS = 5_000;
const MICROSOFT = 311;
const VENDOR_SPECIFIC = 26;

export interface FlowDependencies {
  readonly config: Config;
  readonly redis: Redis | Cluster;
  readonly keys: RedisKeys;
  readonly sealer: Sealer;
  readonly firstFactors: FirstFactorProviders;
  readonly users: UserStore;
  /** `unenrolled: enroll` sends the person a single-use enrollment link. */
  readonly enrollmentLinks: EnrollmentLinks;
  readonly states: StateStore;
  readonly totp: TotpSettings;
  /** Absent when `mfa.push` is not configured. */
  readonly push?: PushSettings;
  /** Absent when `mfa.sms` is not configured. */
  readonly sms?: PhoneCodeSettings;
  /** A call that reads the code out; absent unless `mfa.voice` has a webhook sender. */
  readonly voice?: PhoneCodeSettings;
  /** An approval call (press #) through ACS; absent unless `mfa.voice` has an acs sender. */
  readonly voiceCall?: VoiceCallSettings;
  /** Users, groups and phones of clients whose users live in Entra; absent without directories.entra. */
  readonly entra?: EntraUserSource;
  readonly logger: Logger;
  /** mfa_provider_requests_total{provider,outcome} */
  readonly countProviderRequest?: (provider: string, outcome: string) => void;
}

/**
 * What the worker's idempotency (TOTP step, SMS/voice code, State consumption) is keyed on: one
 * admission of a transaction, not the txn id alone. A retried job of that admission carries the
 * same receivedAt (the txn's createdAt); the same packet replayed after the txn and its cached
 * answer expired is admitted anew with another receivedAt, so it is refused as a replay instead
 * of being answered like a retry.
 */
export function admissionKey(request: Pick<FlowRequest, 'txn' | 'receivedAt'>): string {
  return `${request.txn}:${request.receivedAt}`;
}

export interface FlowRequest {
  readonly txn: string;
  readonly client: ClientRuntime;
  readonly packet: RadiusPacket;
  readonly incoming: IncomingRequest;
  /** Normalised user name. */
  readonly user: string;
  readonly receivedAt: number;
  readonly signal: AbortSignal;
  /**
   * Stores the signed Accept (with these attributes) and Reject for this transaction, kept at
   * least `holdMs`, for a decision made outside the job (prepareVerdicts).
   */
  readonly prepareHold: (attributes: readonly RadiusAttribute[], rejectMessage: string, holdMs: number) => Promise<boolean>;
  /** Signs a final decision ahead, with its audit event, for a check that delivers its verdict itself (TOTP). */
  readonly verdictOf: (decision: FinalDecision) => SignedVerdict;
  /** The user record read already issued with the job's first command (readsUserAtOnce); read here otherwise. */
  readonly signInUser?: Promise<SignInUser>;
}

/**
 * Whether a new sign-in of this client reads the user record with nothing in between (no first
 * factor, no Entra lookup): then the job issues that read with its first command, one round trip.
 */
export function readsUserAtOnce(client: ClientRuntime, incoming: Pick<IncomingRequest, 'state' | 'authorizeOnly'>): boolean {
  return !incoming.state && !incoming.authorizeOnly && client.config.firstFactor === 'none' && !clientUsesEntra(client.config);
}

/** Everything known after the first factor, carried through the challenge steps. */
interface SignIn {
  readonly request: FlowRequest;
  readonly groups: readonly string[];
  readonly firstFactorAttributes: readonly RadiusAttribute[];
  readonly startedAt: number;
  readonly attempts: number;
  /** The Entra mobile number, for SMS and calls when the user store holds no phone. */
  readonly entraMobile?: string;
}

export async function decide(deps: FlowDependencies, request: FlowRequest): Promise<Decision> {
  if (request.incoming.state) return continueSignIn(deps, request, request.incoming.state);
  // RFC 5080 §2.1.1 / PROTOCOL-CASES 24: Authorize-Only is only meaningful to continue a State.
  if (request.incoming.authorizeOnly) return reject(record(request.user, 'none', 'reject', 'authorize-only-without-state'));
  return startSignIn(deps, request);
}

function record(user: string, method: string, outcome: DecisionRecord['outcome'], reason: string, startedAt?: number): DecisionRecord {
  return { user, method, outcome, reason, ...(startedAt !== undefined && { startedAt }) };
}

function finalAccept(signIn: SignIn, method: string, outcome: 'accept' | 'fail-open', reason: string, message?: string): FinalDecision {
  const { client, user } = signIn.request;
  return accept(record(user, method, outcome, reason, signIn.startedAt), acceptAttributes(client.attributes, signIn.groups, signIn.firstFactorAttributes), message);
}

function finalReject(signIn: SignIn, method: string, reason: string, message: string = Prompts.rejected, outcome: DecisionRecord['outcome'] = 'reject'): FinalDecision {
  return reject(record(signIn.request.user, method, outcome, reason, signIn.startedAt), message);
}

/**
 * A second-factor provider (notifier, sender, Entra) failed. Only an outage (unreachable: network,
 * timeout, 5xx, 429) goes to the client's failMode; a refusal (no topic, another 4xx, an invalid
 * number, an unsealable secret) is about this user or this deployment and rejects whatever the
 * failMode, or `failMode: open` would turn it into a way around the second factor. Our own Redis
 * failing is neither: it throws, the job is retried, and its last attempt answers Reject.
 */
function providerFailed(deps: FlowDependencies, signIn: SignIn, method: string, provider: string, failure: ProviderFailure): Decision {
  const context = { err: failure.error, txn: signIn.request.txn, client: signIn.request.client.config.name, provider };
  if (failure.status === 'refused') {
    deps.logger.warn({ ...context, reason: failure.reason }, `${provider} refused the request (${failure.reason}); rejected whatever the failMode`);
    return finalReject(signIn, method, `${provider}-refused: ${failure.reason}`, Prompts.providerRefused);
  }
  deps.logger.warn(context, `${provider} unreachable; failMode ${signIn.request.client.policy.failMode}`);
  return signIn.request.client.policy.failMode === 'open'
    ? finalAccept(signIn, method, 'fail-open', `${provider}-unreachable`)
    : finalReject(signIn, method, `${provider}-unreachable`, Prompts.unavailable);
}

// ---------------------------------------------------------------------------------------------
// A new sign-in (no State)

async function runFirstFactor(deps: FlowDependencies, request: FlowRequest, password: Buffer | undefined): Promise<FirstFactorResult> {
  const { client, incoming, packet, user, signal } = request;
  const provider = deps.firstFactors.get(client.config.firstFactor);
  let result: FirstFactorResult;
  try {
    result = await provider.authenticate(
      {
        user,
        ...(password !== undefined && { password }),
        ...(incoming.chap && { chap: { id: incoming.chap.id, response: incoming.chap.response, challenge: incoming.chap.challenge } }),
        ...(incoming.callingStationId !== undefined && { callingStationId: incoming.callingStationId }),
        requestAttributes: packet.attributes,
      },
      { signal, downstream: { secret: client.secret, requestAuthenticator: packet.authenticator } },
    );
  } catch (error) {
    // A provider that throws (a bug, an abort at the job's deadline) is as good as unreachable.
    deps.logger.warn({ err: error, txn: request.txn, provider: provider.kind }, 'first factor failed');
    result = { outcome: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
  }
  if (provider.kind !== 'none') deps.countProviderRequest?.(provider.kind, result.outcome);
  return result;
}

async function startSignIn(deps: FlowDependencies, request: FlowRequest): Promise<Decision> {
  const { client, incoming, user } = request;
  const prompt = client.config.prompt;
  let password = incoming.password;
  let appended: AppendedFactor = { kind: 'none' };
  if (prompt === 'append' && password !== undefined) {
    const split = splitAppendedPassword(password, deps.config.mfa.totp.digits, { passwordless: client.config.firstFactor === 'none' });
    password = split.password;
    appended = split.factor;
  }

  const first = await runFirstFactor(deps, request, password);
  if (first.outcome === 'reject') return reject(record(user, 'first-factor', 'reject', `first-factor-${client.config.firstFactor}: ${first.reason}`, request.receivedAt), Prompts.rejected);
  // A first factor never fails open: failMode is about the second factor only.
  if (first.outcome === 'unavailable') {
    return reject(record(user, 'first-factor', 'reject', `first-factor-${client.config.firstFactor}-unavailable: ${first.reason}`, request.receivedAt), Prompts.rejected);
  }
  let signIn: SignIn = {
    request,
    groups: first.groups,
    firstFactorAttributes: first.replyAttributes,
    startedAt: request.receivedAt,
    attempts: 0,
  };
  if (clientUsesEntra(client.config)) {
    const entra = await entraLookup(deps, signIn);
    if ('kind' in entra) return entra;
    signIn = entra;
  }
  if (!inRequiredGroups(client.policy, signIn.groups)) return finalReject(signIn, 'none', 'not-in-required-group', Prompts.notInGroup);
  const bypass = client.policy.bypassFor(user, signIn.groups, incoming.callingStationId);
  if (bypass) return finalAccept(signIn, 'none', 'accept', bypass);

  // A Redis error here throws: the job is retried, and its last attempt answers Reject (never failMode).
  const { record: enrolled, sealedTotpSecret } = await (request.signInUser ?? deps.users.getUserForSignIn(user));
  // CONTRACT.md: after a fraud report the next login is rejected at once, no challenge, no push.
  if (enrolled?.fraudLockedAt !== undefined) return finalReject(signIn, 'none', 'fraud-locked', Prompts.locked, 'locked');

  const phone = enrolled?.phone ?? signIn.entraMobile;
  const methods = usableMethods(client.config.methods, {
    totp: enrolled?.totp !== undefined,
    push: enrolled?.push !== undefined && deps.push !== undefined,
    sms: phone !== undefined && deps.sms !== undefined,
    voice: phone !== undefined && (deps.voice !== undefined || deps.voiceCall !== undefined),
  });
  if (methods.length === 0) {
    // Unenrolled means no factor at all. Someone with a factor this client cannot use is not offered
    // an enrollment (with a stolen password, that would enroll the thief's phone) nor let through.
    if (hasAnyFactor(deps, enrolled, phone)) return finalReject(signIn, 'none', 'no-usable-method', Prompts.noUsableMethod);
    return unenrolled(deps, signIn);
  }

  switch (prompt) {
    case 'auto': {
      // Nothing can be shown (RD Gateway): only an out-of-band approval works, push or an approval call.
      const outOfBand = methods.find((m) => m === 'push' || (m === 'voice' && deps.voiceCall !== undefined));
      if (outOfBand === 'push') return holdForPush(deps, signIn, enrolled);
      if (outOfBand === 'voice') return holdForVoiceCall(deps, signIn, enrolled);
      return finalReject(signIn, 'none', 'auto-prompt-without-push', Prompts.autoNeedsPush);
    }
    case 'append':
      return appendedSecondFactor(deps, signIn, methods, appended, enrolled, sealedTotpSecret);
    case 'challenge':
      if (methods.length === 1) return beginMethod(deps, signIn, methods[0]!, enrolled);
      return challengeWith(deps, signIn, { step: 'menu', methods }, Prompts.menu(methods), 'menu', ANSWER_STATE_TTL_MS);
  }
}

/** Whether the user has a second factor anywhere: an enrollment record, or a phone where this deployment can text or call. */
function hasAnyFactor(deps: FlowDependencies, enrolled: UserRecord | undefined, phone: string | undefined): boolean {
  const canReachPhone = deps.sms !== undefined || deps.voice !== undefined || deps.voiceCall !== undefined;
  return enrolled?.totp !== undefined || enrolled?.push !== undefined || (phone !== undefined && canReachPhone);
}

async function unenrolled(deps: FlowDependencies, signIn: SignIn): Promise<Decision> {
  const { client, user } = signIn.request;
  const now = Date.now();
  const graceStarted = client.policy.unenrolled === 'enroll' && client.policy.enrollGraceDays > 0 ? await enrollGraceStartedAt(deps.redis, deps.keys, user, now) : undefined;
  const decision = decideUnenrolled(client.policy, graceStarted, now);
  if (decision.action === 'accept' && decision.reason === 'unenrolled-allow') return finalAccept(signIn, 'none', 'accept', decision.reason);
  if (decision.action === 'reject') return finalReject(signIn, 'none', decision.reason, Prompts.notEnrolled);
  // The first factor passed: this person may enroll a factor this client accepts, once, soon.
  const methods = client.config.methods.filter((m): m is EnrollmentMethod => m === 'totp' || (m === 'push' && deps.push !== undefined));
  if (methods.length === 0) return decision.action === 'accept' ? finalAccept(signIn, 'none', 'accept', decision.reason) : finalReject(signIn, 'none', decision.reason, Prompts.notEnrolled);
  const token = await signInEnrollmentToken(deps, user, methods, now);
  const url = enrollmentUrl(deps.config.api.publicUrl ?? deps.config.api.listen, token);
  return decision.action === 'accept'
    ? finalAccept(signIn, 'none', 'accept', decision.reason, Prompts.enrollGrace(url, decision.daysLeft))
    : finalReject(signIn, 'none', decision.reason, Prompts.enroll(url));
}

async function appendedSecondFactor(
  deps: FlowDependencies,
  signIn: SignIn,
  methods: readonly SecondFactorMethod[],
  appended: AppendedFactor,
  enrolled: UserRecord | undefined,
  sealedTotpSecret: string | undefined,
): Promise<Decision> {
  if (appended.kind === 'code') {
    if (!methods.includes('totp')) return finalReject(signIn, 'totp', 'totp-not-enrolled', Prompts.rejected);
    return verifyCode(deps, signIn, appended.code, false, sealedTotpSecret);
  }
  if (appended.kind === 'method') {
    if (!methods.includes(appended.method)) return finalReject(signIn, appended.method, `${appended.method}-not-available`, Prompts.rejected);
    if (appended.method === 'push') return holdForPush(deps, signIn, enrolled);
    if (appended.method === 'voice' && deps.voiceCall) return holdForVoiceCall(deps, signIn, enrolled);
    return beginMethod(deps, signIn, appended.method, enrolled);
  }
  // Nothing appended: push if the user has it (as Duo's "auto"), otherwise say how to append.
  return methods.includes('push') ? holdForPush(deps, signIn, enrolled) : finalReject(signIn, 'none', 'nothing-appended', Prompts.appendHint);
}

/** Starts one method with an Access-Challenge (prompt challenge, or after the menu). */
async function beginMethod(deps: FlowDependencies, signIn: SignIn, method: SecondFactorMethod, enrolled: UserRecord | undefined): Promise<Decision> {
  switch (method) {
    case 'totp':
      return challengeWith(deps, signIn, { step: 'code' }, signIn.attempts > 0 ? Prompts.wrongCode : Prompts.enterCode, 'totp', ANSWER_STATE_TTL_MS);
    case 'push':
      return challengeForPush(deps, signIn, enrolled);
    case 'voice':
      if (deps.voiceCall) return challengeForVoiceCall(deps, signIn, enrolled);
      return challengeForPhoneCode(deps, signIn, enrolled, method);
    case 'sms':
      return challengeForPhoneCode(deps, signIn, enrolled, method);
  }
}

// ---------------------------------------------------------------------------------------------
// Challenges and their continuation

function sealAttributes(deps: FlowDependencies, user: string, attributes: readonly RadiusAttribute[]): string | undefined {
  // MS-CHAP and MPPE keys are bound to the first request's authenticator: they cannot follow a challenge.
  const carried = attributes.filter((a) => !(a.type === VENDOR_SPECIFIC && a.value.length >= 4 && a.value.readUInt32BE(0) === MICROSOFT));
  if (carried.length === 0) return undefined;
  const json = JSON.stringify(carried.map((a) => [a.type, a.value.toString('hex')]));
  return deps.sealer.seal(Buffer.from(json), `state-attributes:${user}`).toString('base64');
}

function unsealAttributes(deps: FlowDependencies, user: string, sealed: string | undefined): RawAttribute[] {
  if (sealed === undefined) return [];
  const pairs = JSON.parse(deps.sealer.unseal(Buffer.from(sealed, 'base64'), `state-attributes:${user}`).toString()) as [number, string][];
  return pairs.map(([type, hex]) => ({ type, value: Buffer.from(hex, 'hex') }));
}

async function challengeWith(
  deps: FlowDependencies,
  signIn: SignIn,
  step: { step: ChallengeStep; challengeId?: string; methods?: readonly SecondFactorMethod[] },
  message: string,
  method: string,
  ttlMs: number,
): Promise<Decision> {
  const { client, user } = signIn.request;
  const sealedAttributes = sealAttributes(deps, user, signIn.firstFactorAttributes);
  const state: ChallengeState = {
    client: client.config.name,
    user,
    groups: signIn.groups,
    attempts: signIn.attempts,
    startedAt: signIn.startedAt,
    ...step,
    ...(sealedAttributes !== undefined && { sealedAttributes }),
  };
  const value = await deps.states.issue(state, ttlMs);
  return { kind: 'challenge', state: value, message, record: record(user, method, 'challenge', `${step.step}-challenge`, signIn.startedAt) };
}

/** Starts (or, for a retried job, finds) the push of this transaction; a Decision when it cannot go on. */
async function pushOrDecision(deps: FlowDependencies, signIn: SignIn, showNumber: boolean, enrolled: UserRecord | undefined): Promise<{ challengeId: string; numberToMatch?: number; expiresAt: number } | Decision> {
  const { request } = signIn;
  let started;
  try {
    const userNotifier = (enrolled ?? (await deps.users.getUser(request.user)))?.push?.notifier;
    const ntfyTopic = await deps.users.getNtfyTopic(request.user);
    started = await startPush(deps.push!, {
      ...(userNotifier && { userNotifier }),
      ...(ntfyTopic !== undefined && { ntfyTopic }),
      txn: request.txn,
      user: request.user,
      client: request.client.config.name,
      callingStationId: request.incoming.callingStationId ?? '',
      prompt: request.client.config.prompt,
      showNumber,
      request: request.packet,
      signal: request.signal,
    });
  } catch (error) {
    // A topic sealed under a retired key cannot be opened: a refusal. Redis errors throw (job retried).
    if (error instanceof SealError) return providerFailed(deps, signIn, 'push', 'push-notifier', providerFailure(error));
    throw error;
  }
  await countOutOfBandRequest(deps, 'push-notifier', started, (id) => deps.push!.challenges.claimRequestCount(id));
  if (started.status === 'refused') return outOfBandRefused(signIn, 'push', 'push', started.decision, started.retryAfterMs);
  if (started.status === 'undelivered') return providerFailed(deps, signIn, 'push', 'push-notifier', started.failure);
  return started;
}

async function challengeForPush(deps: FlowDependencies, signIn: SignIn, enrolled: UserRecord | undefined): Promise<Decision> {
  const started = await pushOrDecision(deps, signIn, true, enrolled);
  if ('kind' in started) return started;
  return challengeWith(
    deps,
    signIn,
    { step: 'push', challengeId: started.challengeId },
    Prompts.approvePush(started.numberToMatch),
    'push',
    Math.max(started.expiresAt - Date.now(), 0) + 30_000,
  );
}

type OutOfBandStart = PushStart | PhoneCodeStart | VoiceCallStart;

/**
 * mfa_provider_requests_total for a push, call or code: the counter is traffic and cost, so each
 * request is counted once, by whichever attempt claims it first on its record
 * (request-count-claim.ts): the attempt that sent it, or a retried job that reuses it because that
 * attempt died before counting (a worker killed while its push was in flight: it counts as sent).
 * Not counted: a request the per-user limit refused (its reject is in mfa_challenges_total and the
 * audit). A claim Redis cannot answer counts, rather than failing the sign-in over a metric.
 */
async function countOutOfBandRequest(deps: FlowDependencies, provider: string, start: OutOfBandStart, claim: (id: string) => Promise<boolean>): Promise<void> {
  if (start.status === 'refused') return;
  // A text that failed leaves no code to claim on (it is withdrawn): the attempt that tried counts it.
  const id = 'challengeId' in start ? start.challengeId : 'codeId' in start ? start.codeId : undefined;
  if (id !== undefined && !(await claim(id).catch(() => true))) return;
  deps.countProviderRequest?.(provider, providerOutcome(start.status === 'undelivered' ? start.failure : undefined));
}

function providerOutcome(failure: ProviderFailure | undefined): string {
  if (failure === undefined) return 'accept';
  return failure.status === 'unreachable' ? 'unavailable' : 'reject';
}

/** What is counted against the per-user out-of-band budget, as the audit reason names it and as a person reads it. */
const OUT_OF_BAND = {
  push: { reason: 'push', what: 'pushes' },
  'voice-call': { reason: 'voice-call', what: 'calls' },
  sms: { reason: 'sms', what: 'texts' },
  voice: { reason: 'voice', what: 'calls' },
} as const;

function outOfBandRefused(signIn: SignIn, method: 'push' | 'voice' | 'sms', kind: keyof typeof OUT_OF_BAND, decision: Exclude<PushDecision, 'allowed'>, retryAfterMs?: number): Decision {
  if (decision === 'fraud-locked') return finalReject(signIn, method, 'fraud-locked', Prompts.locked, 'locked');
  const { reason, what } = OUT_OF_BAND[kind];
  const why = decision === 'suppressed' ? `${what} paused after repeated denials` : `too many ${what}${retryAfterMs ? `, retry in ${Math.ceil(retryAfterMs / 1000)} s` : ''}`;
  return finalReject(signIn, method, `${reason}-${decision}`, Prompts.pushLimited(why));
}

/**
 * prompt auto, append `,push`: prepare the Accept and Reject, then push, and end the job. Prepared
 * first, so an approval faster than this job can never find nothing to deliver.
 */
async function holdForPush(deps: FlowDependencies, signIn: SignIn, enrolled: UserRecord | undefined): Promise<Decision> {
  const { request } = signIn;
  const holdMs = deps.push!.timeoutMs + HOLD_MARGIN_MS;
  await request.prepareHold(acceptAttributes(request.client.attributes, signIn.groups, signIn.firstFactorAttributes), Prompts.pushNotApproved, holdMs);
  // CONTRACT.md: with nothing to show the number on, the push is approve/deny.
  const started = await pushOrDecision(deps, signIn, false, enrolled);
  if ('kind' in started) return started;
  return { kind: 'held', record: record(request.user, 'push', 'challenge', 'push-sent', signIn.startedAt) };
}

async function challengeForPhoneCode(deps: FlowDependencies, signIn: SignIn, enrolled: UserRecord | undefined, method: 'sms' | 'voice'): Promise<Decision> {
  const settings = deps[method]!;
  const record = enrolled ?? (await deps.users.getUser(signIn.request.user));
  // Locked out by wrong codes (TOTP or phone, one lockout): no text is sent until it runs out.
  if (record?.lockedUntil !== undefined && record.lockedUntil > Date.now()) return finalReject(signIn, method, `${method}-locked`, Prompts.codeLocked, 'locked');
  const phone = await phoneOf(deps, signIn, record, method);
  if (typeof phone !== 'string') return phone;
  const sent = await sendPhoneCode(settings, { txn: signIn.request.txn, user: signIn.request.user, phone, signal: signIn.request.signal });
  await countOutOfBandRequest(deps, `${method}-sender`, sent, (id) => settings.codes.claimRequestCount(id));
  if (sent.status === 'refused') return outOfBandRefused(signIn, method, method, sent.decision, sent.retryAfterMs);
  if (sent.status === 'undelivered') return providerFailed(deps, signIn, method, `${method}-sender`, sent.failure);
  return challengeWith(deps, signIn, { step: method, challengeId: sent.codeId }, method === 'sms' ? Prompts.enterSmsCode : Prompts.enterVoiceCode, method, settings.ttlMs);
}

/** The Accept or Reject a TOTP outcome ends the sign-in with; undefined when a wrong code gets another try (`mayRetry`). */
function finalTotpDecision(signIn: SignIn, outcome: TotpVerifyOutcome, mayRetry: boolean): FinalDecision | undefined {
  switch (outcome) {
    case 'accepted':
      return finalAccept(signIn, 'totp', 'accept', 'totp-accepted');
    case 'invalid':
      return mayRetry && signIn.attempts + 1 < MAX_ANSWERS ? undefined : finalReject(signIn, 'totp', 'totp-invalid');
    case 'replayed':
      return finalReject(signIn, 'totp', 'totp-replayed', Prompts.codeReplayed);
    case 'locked':
      return finalReject(signIn, 'totp', 'totp-locked', Prompts.codeLocked, 'locked');
    case 'not-enrolled':
      return finalReject(signIn, 'totp', 'totp-not-enrolled', Prompts.notEnrolled);
  }
}

/**
 * A TOTP code: from the password (append) or from the answer to a challenge. The verdict of the
 * likely outcome (the Accept for a code that matches a step, else the Reject a wrong code gets when
 * that ends the sign-in) is signed ahead, so the check delivers it (one script); other outcomes
 * (a replay, a lockout, another try) are decided and delivered here.
 */
async function verifyCode(deps: FlowDependencies, signIn: SignIn, code: string, mayRetry: boolean, sealedTotpSecret?: string): Promise<Decision> {
  const { request } = signIn;
  const signed = new Map<TotpVerifyOutcome, { decision: FinalDecision; verdict: SignedVerdict }>();
  const sign = (outcome: TotpVerifyOutcome): SignedVerdict | undefined => {
    const decision = finalTotpDecision(signIn, outcome, mayRetry);
    if (!decision) return undefined;
    const verdict = request.verdictOf(decision);
    signed.set(outcome, { decision, verdict });
    return verdict;
  };
  let result;
  try {
    result = await checkTotpCode(
      deps.totp,
      request.user,
      code,
      admissionKey(request),
      {
        txn: request.txn,
        ttlMs: ANSWERED_TTL_MS,
        verdictFor: (likely) => sign(likely),
      },
      sealedTotpSecret,
    );
  } catch (error) {
    // A secret sealed under a retired key: this user's TOTP cannot be checked until re-enrolled. Redis errors throw.
    if (error instanceof SealError) return finalReject(signIn, 'totp', 'totp-unsealable', Prompts.providerRefused);
    throw error;
  }
  if (result.status === 'answered') return { kind: 'answered' };
  const given = signed.get(result.outcome);
  if (result.status === 'delivered' && given) return { kind: 'delivered', response: result.response, record: given.decision.record, audit: given.verdict.audit };
  return finalTotpDecision(signIn, result.outcome, mayRetry) ?? challengeWith(deps, { ...signIn, attempts: signIn.attempts + 1 }, { step: 'code' }, Prompts.wrongCode, 'totp', ANSWER_STATE_TTL_MS);
}

const STATE_REJECTS = { unknown: 'state-unknown', replayed: 'state-replayed', mismatch: 'state-mismatch' } as const;

async function continueSignIn(deps: FlowDependencies, request: FlowRequest, stateValue: Buffer): Promise<Decision> {
  const consumed = await deps.states.consume(stateValue, admissionKey(request), request.client.config.name, request.user);
  // PROTOCOL-CASES 22: unknown, forged, expired or replayed State → Reject.
  if (consumed.status !== 'ok') return reject(record(request.user, 'none', 'reject', STATE_REJECTS[consumed.status]), Prompts.sessionExpired);
  const { state } = consumed;
  const signIn: SignIn = {
    request,
    groups: state.groups,
    firstFactorAttributes: unsealAttributes(deps, request.user, state.sealedAttributes),
    startedAt: state.startedAt,
    attempts: state.attempts,
  };
  const answer = request.incoming.password?.toString('utf8').trim() ?? '';
  switch (state.step) {
    case 'code':
      return verifyCode(deps, signIn, answer, true);
    case 'push':
      return continuePush(deps, signIn, state.challengeId ?? '');
    case 'voice':
      if (deps.voiceCall) return continueVoiceCall(deps, signIn, state.challengeId ?? '');
      return continuePhoneCode(deps, signIn, state.step, state.challengeId ?? '', answer);
    case 'sms':
      return continuePhoneCode(deps, signIn, state.step, state.challengeId ?? '', answer);
    case 'menu': {
      const methods = state.methods ?? [];
      // A code typed at the menu is taken as the TOTP code it obviously is.
      if (/^\d{6,8}$/.test(answer) && methods.includes('totp')) return verifyCode(deps, signIn, answer, true);
      const chosen = parseMenuChoice(answer, methods);
      if (chosen) return beginMethod(deps, { ...signIn, attempts: 0 }, chosen, undefined);
      if (signIn.attempts + 1 >= MAX_ANSWERS) return finalReject(signIn, 'none', 'menu-invalid');
      return challengeWith(deps, { ...signIn, attempts: signIn.attempts + 1 }, { step: 'menu', methods }, Prompts.menuInvalid(methods), 'menu', ANSWER_STATE_TTL_MS);
    }
  }
}

async function continuePush(deps: FlowDependencies, signIn: SignIn, challengeId: string): Promise<Decision> {
  const push = deps.push;
  if (!push) return finalReject(signIn, 'push', 'push-not-configured');
  const poll = await pollPush(push.challenges, challengeId, Date.now());
  switch (poll.status) {
    case 'approved':
      return finalAccept(signIn, 'push', 'accept', 'push-approved');
    case 'pending': {
      const challenge = await push.challenges.getChallenge(challengeId);
      const ttl = challenge ? Math.max(challenge.expiresAt - Date.now(), 0) + 30_000 : ANSWER_STATE_TTL_MS;
      return challengeWith(deps, signIn, { step: 'push', challengeId }, Prompts.stillWaiting(poll.numberToMatch), 'push', ttl);
    }
    case 'denied':
      return finalReject(signIn, 'push', 'push-denied', Prompts.pushDenied);
    case 'number-mismatch':
      return finalReject(signIn, 'push', 'push-number-mismatch', Prompts.pushDenied);
    case 'fraud':
      return finalReject(signIn, 'push', 'push-fraud-reported', Prompts.pushDenied, 'fraud');
    case 'expired':
      return finalReject(signIn, 'push', 'push-expired', Prompts.pushExpired, 'timeout');
    case 'unknown':
      return finalReject(signIn, 'push', 'push-unknown-challenge', Prompts.sessionExpired);
  }
}

async function continuePhoneCode(deps: FlowDependencies, signIn: SignIn, method: 'sms' | 'voice', codeId: string, answer: string): Promise<Decision> {
  const settings = deps[method];
  if (!settings) return finalReject(signIn, method, `${method}-not-configured`);
  const result = await checkPhoneCode(settings, codeId, signIn.request.user, answer, admissionKey(signIn.request));
  switch (result.outcome) {
    case 'accepted':
      return finalAccept(signIn, method, 'accept', `${method}-accepted`);
    case 'invalid':
      // Counted three ways: per code, per user (the TOTP lockout), and per sign-in here, as TOTP is.
      if (signIn.attempts + 1 >= MAX_ANSWERS) return finalReject(signIn, method, `${method}-invalid`);
      // The State is single use, so a new one carries the same code id.
      return challengeWith(deps, { ...signIn, attempts: signIn.attempts + 1 }, { step: method, challengeId: codeId }, Prompts.wrongCode, method, ANSWER_STATE_TTL_MS);
    case 'exhausted':
      return finalReject(signIn, method, `${method}-exhausted`, Prompts.codeLocked);
    case 'locked':
      return finalReject(signIn, method, `${method}-locked`, Prompts.codeLocked, 'locked');
    case 'expired':
      return finalReject(signIn, method, `${method}-expired`, Prompts.sessionExpired, 'timeout');
  }
}

// ---------------------------------------------------------------------------------------------
// Entra as the user source, and the approval call

/**
 * The Entra step of a client whose users live in Entra: unknown or disabled accounts and a
 * misconfigured app are rejected; an outage (Graph down, throttled) goes through failMode.
 */
async function entraLookup(deps: FlowDependencies, signIn: SignIn): Promise<SignIn | Decision> {
  const { client, user, signal, txn } = signIn.request;
  if (!deps.entra) return finalReject(signIn, 'none', 'entra-not-configured', Prompts.unavailable);
  const policy = client.config;
  const withGroups = policy.bypass.groups.length > 0 || policy.requireGroups.length > 0 || Object.keys(policy.groupAttributes).length > 0;
  const looked = await deps.entra.lookup(user, withGroups, signal);
  deps.countProviderRequest?.('entra-graph', looked.status === 'found' ? 'accept' : looked.status);
  switch (looked.status) {
    case 'found':
      return { ...signIn, groups: looked.groups, ...(looked.mobile !== undefined && { entraMobile: looked.mobile }) };
    case 'reject':
      if (looked.error) deps.logger.error({ err: looked.error, txn, client: client.config.name }, 'Entra refused the app (not an outage): every sign-in of this client is rejected until it is fixed');
      return finalReject(signIn, 'none', looked.reason, Prompts.rejected);
    case 'unavailable':
      return providerFailed(deps, signIn, 'none', 'entra', { status: 'unreachable', error: looked.error });
  }
}

/** The number SMS and calls go to: the user store's, else the Entra mobile; a Decision when there is none. */
async function phoneOf(deps: FlowDependencies, signIn: SignIn, enrolled: UserRecord | undefined, method: 'sms' | 'voice'): Promise<string | Decision> {
  const { request } = signIn;
  const stored = enrolled?.phone ?? (await deps.users.getUser(request.user))?.phone ?? signIn.entraMobile;
  if (stored !== undefined) return stored;
  // After the menu the sign-in comes back from its State, which keeps no phone number: ask again (cached).
  if (deps.entra && clientUsesEntra(request.client.config)) {
    const looked = await deps.entra.lookup(request.user, false, request.signal);
    if (looked.status === 'found' && looked.mobile !== undefined) return looked.mobile;
    if (looked.status === 'unavailable') return providerFailed(deps, signIn, method, 'entra', { status: 'unreachable', error: looked.error });
  }
  return finalReject(signIn, method, `${method}-no-phone`, Prompts.rejected);
}

/** Places the approval call of this transaction; a Decision when it cannot go on. */
async function callOrDecision(deps: FlowDependencies, signIn: SignIn, enrolled: UserRecord | undefined): Promise<{ challengeId: string; expiresAt: number } | Decision> {
  const { request } = signIn;
  const phone = await phoneOf(deps, signIn, enrolled, 'voice');
  if (typeof phone !== 'string') return phone;
  const started = await startVoiceCall(deps.voiceCall!, {
    txn: request.txn,
    user: request.user,
    phone,
    client: request.client.config.name,
    callingStationId: request.incoming.callingStationId ?? '',
    prompt: request.client.config.prompt,
    request: request.packet,
    signal: request.signal,
  });
  await countOutOfBandRequest(deps, 'voice-call', started, (id) => deps.voiceCall!.challenges.claimRequestCount(id));
  if (started.status === 'refused') return outOfBandRefused(signIn, 'voice', 'voice-call', started.decision, started.retryAfterMs);
  if (started.status === 'undelivered') return providerFailed(deps, signIn, 'voice', 'voice-call', started.failure);
  return started;
}

/** prompt auto, append `,call`: prepare the Accept and Reject, place the call, end the job (results-api delivers). */
async function holdForVoiceCall(deps: FlowDependencies, signIn: SignIn, enrolled: UserRecord | undefined): Promise<Decision> {
  const { request } = signIn;
  const holdMs = deps.voiceCall!.timeoutMs + HOLD_MARGIN_MS;
  await request.prepareHold(acceptAttributes(request.client.attributes, signIn.groups, signIn.firstFactorAttributes), Prompts.callNotApproved, holdMs);
  const started = await callOrDecision(deps, signIn, enrolled);
  if ('kind' in started) return started;
  return { kind: 'held', record: record(request.user, 'voice', 'challenge', 'voice-call-placed', signIn.startedAt) };
}

async function challengeForVoiceCall(deps: FlowDependencies, signIn: SignIn, enrolled: UserRecord | undefined): Promise<Decision> {
  const started = await callOrDecision(deps, signIn, enrolled);
  if ('kind' in started) return started;
  return challengeWith(deps, signIn, { step: 'voice', challengeId: started.challengeId }, Prompts.answerCall, 'voice', Math.max(started.expiresAt - Date.now(), 0) + 30_000);
}

async function continueVoiceCall(deps: FlowDependencies, signIn: SignIn, challengeId: string): Promise<Decision> {
  const poll = await pollPush(deps.voiceCall!.challenges, challengeId, Date.now());
  switch (poll.status) {
    case 'approved':
      return finalAccept(signIn, 'voice', 'accept', 'voice-call-approved');
    case 'pending': {
      const challenge = await deps.voiceCall!.challenges.getChallenge(challengeId);
      const ttl = challenge ? Math.max(challenge.expiresAt - Date.now(), 0) + 30_000 : ANSWER_STATE_TTL_MS;
      return challengeWith(deps, signIn, { step: 'voice', challengeId }, Prompts.stillWaitingCall, 'voice', ttl);
    }
    case 'denied':
    case 'number-mismatch':
    case 'fraud':
      return finalReject(signIn, 'voice', 'voice-call-denied', Prompts.callNotApproved);
    case 'expired':
      return finalReject(signIn, 'voice', 'voice-call-expired', Prompts.callNotApproved, 'timeout');
    case 'unknown':
      return finalReject(signIn, 'voice', 'voice-call-unknown-challenge', Prompts.sessionExpired);
  }
}
