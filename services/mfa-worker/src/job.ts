// One job of the `auth` queue, end to end: open the sealed request, decide, sign, deliver, audit.
// Every verdict leaves through deliverVerdict/prepareVerdicts (first verdict wins).
import { parseAuthJob, type AuditEvent, type AuthJob } from '@radius-mfa/contracts';
import { Code, RadiusProtocolError, decodePacket, type RadiusAttribute, type RadiusPacket } from '@radius-mfa/radius-protocol';
import { deliverVerdict, prepareVerdicts, type DeliverResult } from '@radius-mfa/transactions';
import type { Metrics } from '@radius-mfa/runtime';
import type { AuditWriter } from './audit.js';
import type { ClientRuntime } from './clients.js';
import { reject, type Decision, type DecisionRecord, type FinalDecision, type SignedVerdict } from './decision.js';
import { decide, readsUserAtOnce, type FlowDependencies } from './flow.js';
import { RequestContentError, readAccessRequest, type IncomingRequest } from './incoming.js';
import { Prompts } from './prompts.js';
import { responsesFor } from './responses.js';

const RADSEC_SECRET = Buffer.from('radsec', 'ascii');

/** A job that can never succeed (retrying it would fail the same way). */
export class AuthJobError extends Error {
  constructor(
    readonly reason: 'unknown-client' | 'unsealable' | 'undecodable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthJobError';
  }
}

export interface JobDependencies extends FlowDependencies {
  readonly clients: ReadonlyMap<string, ClientRuntime>;
  readonly normalizeUser: (raw: string) => string;
  readonly audit: AuditWriter;
  readonly metrics?: Pick<Metrics, 'mfaChallenges' | 'mfaAuthDuration'>;
}

export type JobOutcome =
  /** An earlier attempt (or a duplicate job) already answered this transaction. */
  | { readonly status: 'already-answered'; readonly txn: string }
  | { readonly status: 'delivered'; readonly txn: string; readonly code: number; readonly decided: boolean; readonly record: DecisionRecord }
  | { readonly status: 'held'; readonly txn: string; readonly prepared: boolean; readonly record: DecisionRecord };

interface OpenedJob {
  readonly job: AuthJob;
  readonly client: ClientRuntime;
  readonly packet: RadiusPacket;
}

function openJob(deps: JobDependencies, data: unknown): OpenedJob {
  const job = parseAuthJob(data);
  const configured = deps.clients.get(job.client);
  if (!configured) throw new AuthJobError('unknown-client', `job for unknown client "${job.client}" (config differs between ingress and worker?)`);
  // RFC 6614 §2.3: over RadSec the shared secret is the literal "radsec", whatever is configured.
  const client = job.transport === 'radsec' ? { ...configured, secret: RADSEC_SECRET } : configured;
  let raw: Buffer;
  try {
    // AAD = txn: a sealed request cannot be replayed under another transaction.
    raw = deps.sealer.unseal(Buffer.from(job.sealedRequest, 'base64'), job.txn);
  } catch (cause) {
    throw new AuthJobError('unsealable', 'sealed request does not open (sealing keys differ between ingress and worker?)', { cause });
  }
  let packet: RadiusPacket;
  try {
    packet = decodePacket(raw);
  } catch (cause) {
    throw new AuthJobError('undecodable', cause instanceof RadiusProtocolError ? cause.message : 'request does not decode', { cause });
  }
  if (packet.code !== Code.AccessRequest) throw new AuthJobError('undecodable', `job holds code ${packet.code}, not an Access-Request`);
  return { job, client, packet };
}

/** What the request says, or the Reject a malformed one gets. */
type ReadRequest = { readonly incoming: IncomingRequest; readonly user: string } | { readonly decision: Decision; readonly user: '' };

function readOpened(deps: JobDependencies, opened: OpenedJob): ReadRequest {
  try {
    const incoming = readAccessRequest(opened.packet, opened.client.secret);
    return { incoming, user: deps.normalizeUser(incoming.userName) };
  } catch (error) {
    if (!(error instanceof RequestContentError)) throw error;
    return { decision: reject({ user: '', method: 'none', outcome: 'reject', reason: `bad-request: ${error.reason}` }, Prompts.rejected), user: '' };
  }
}

/** Decides `data` (an auth job) and delivers the verdict. Throws for a job to retry, AuthJobError for one that never can. */
export async function processAuthJob(deps: JobDependencies, data: unknown, signal: AbortSignal): Promise<JobOutcome> {
  const opened = openJob(deps, data);
  const { job, client, packet } = opened;
  const read = readOpened(deps, opened);
  // Issued in the same turn as the answered check (one batch, one round trip); a read left unused
  // (the job was answered already) must not surface as an unhandled rejection.
  const signInUser = 'incoming' in read && readsUserAtOnce(client, read.incoming) ? deps.users.getUserForSignIn(read.user) : undefined;
  signInUser?.catch(() => undefined);
  // A retried job whose first attempt already answered: nothing to redo (and nothing to re-send).
  if ((await deps.redis.hexists(deps.keys.txn(job.txn), 'response')) === 1) return { status: 'already-answered', txn: job.txn };

  const responses = responsesFor(packet, client.secret);
  const callingStationId = 'incoming' in read ? read.incoming.callingStationId : undefined;
  const audited = (record: DecisionRecord): AuditEvent => auditEvent(job, client, record, callingStationId);
  // Past its deadline the ingress has answered Reject already: starting a push or spending a TOTP
  // step now would act for a sign-in nobody waits for. Say Reject (first verdict wins) and stop.
  if (Date.now() >= job.deadline) {
    const record: DecisionRecord = { user: '', method: 'none', outcome: 'timeout', reason: 'job-past-deadline' };
    const delivered = await deliverWithAudit(deps, job, responses.reject(Prompts.sessionExpired), audited(record), record);
    return { status: 'delivered', txn: job.txn, code: delivered.response[0] ?? 0, decided: delivered.decided, record };
  }
  let prepared = false;
  const prepareHold = async (attributes: readonly RadiusAttribute[], rejectMessage: string, holdMs: number): Promise<boolean> => {
    prepared = await prepareVerdicts(deps.redis, deps.keys, job.txn, { accept: responses.accept(attributes), reject: responses.reject(rejectMessage) }, holdMs);
    return prepared;
  };
  const bytesOf = (decision: FinalDecision | Extract<Decision, { kind: 'challenge' }>): Buffer =>
    decision.kind === 'accept'
      ? responses.accept(decision.attributes, decision.message)
      : decision.kind === 'reject'
        ? responses.reject(decision.message)
        : responses.challenge(decision.state, decision.message);
  const verdictOf = (decision: FinalDecision): SignedVerdict => ({ response: bytesOf(decision), audit: audited(decision.record) });
  const decision =
    'incoming' in read
      ? await decide(deps, { txn: job.txn, client, packet, incoming: read.incoming, user: read.user, receivedAt: job.receivedAt, signal, prepareHold, verdictOf, ...(signInUser && { signInUser }) })
      : read.decision;
  switch (decision.kind) {
    case 'answered':
      return { status: 'already-answered', txn: job.txn };
    case 'held':
      observe(deps, job, decision.record);
      await deps.audit.write(audited(decision.record));
      return { status: 'held', txn: job.txn, prepared, record: decision.record };
    case 'delivered':
      // Delivered by the check's own script, which decided the transaction (it refuses to run once one is answered).
      observe(deps, job, decision.record);
      deps.audit.logDelivered(decision.audit, true);
      return { status: 'delivered', txn: job.txn, code: decision.response[0] ?? 0, decided: true, record: decision.record };
    default: {
      const delivered = await deliverWithAudit(deps, job, bytesOf(decision), audited(decision.record), decision.record);
      return { status: 'delivered', txn: job.txn, code: delivered.response[0] ?? 0, decided: delivered.decided, record: decision.record };
    }
  }
}

/**
 * The verdict and its audit entry leave in one script, the entry only when this verdict decides:
 * a job retried after a failed delivery, or a duplicate job, never adds a second entry.
 */
async function deliverWithAudit(deps: JobDependencies, job: AuthJob, response: Buffer, audit: AuditEvent, record: DecisionRecord): Promise<DeliverResult> {
  const delivered = await deliverVerdict(deps.redis, deps.keys, job.txn, response, { audit });
  if (delivered.decided) observe(deps, job, record);
  deps.audit.logDelivered(audit, delivered.decided);
  return delivered;
}

/**
 * The last attempt of a job failed unexpectedly: answer Reject now rather than leave the NAS to
 * the ingress's deadline timer. Returns false when the request cannot even be opened.
 */
export async function rejectFailedJob(deps: JobDependencies, data: unknown, error: unknown): Promise<boolean> {
  let opened: OpenedJob;
  try {
    opened = openJob(deps, data);
  } catch {
    return false;
  }
  const { job, client, packet } = opened;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'internal error';
  const record: DecisionRecord = { user: '', method: 'none', outcome: 'reject', reason: `internal-error: ${reason.slice(0, 200)}` };
  await deliverWithAudit(deps, job, responsesFor(packet, client.secret).reject(Prompts.unavailable), auditEvent(job, client, record), record);
  return true;
}

/** mfa_challenges_total and mfa_auth_duration_seconds for a decision that took effect. */
function observe(deps: JobDependencies, job: AuthJob, record: DecisionRecord): void {
  deps.metrics?.mfaChallenges.inc({ method: record.method, outcome: record.outcome });
  if (record.outcome !== 'challenge') {
    deps.metrics?.mfaAuthDuration.observe({ method: record.method, outcome: record.outcome }, Math.max(Date.now() - (record.startedAt ?? job.receivedAt), 0) / 1000);
  }
}

function auditEvent(job: AuthJob, client: ClientRuntime, record: DecisionRecord, callingStationId?: string): AuditEvent {
  const now = Date.now();
  return {
    at: now,
    user: record.user,
    client: client.config.name,
    method: record.method,
    outcome: record.outcome,
    reason: record.reason,
    latencyMs: now - job.receivedAt,
    txn: job.txn,
    ...(callingStationId !== undefined && { callingStationId }),
  };
}
