// One job of the `auth` queue, end to end: open the sealed request, decide, sign, deliver, audit.
// Every verdict leaves through deliverVerdict/prepareVerdicts (first verdict wins).
import { parseAuthJob, type AuthJob } from '@radius-mfa/contracts';
import { Code, RadiusProtocolError, decodePacket, type RadiusAttribute, type RadiusPacket } from '@radius-mfa/radius-protocol';
import { deliverVerdict, prepareVerdicts, type DeliverResult } from '@radius-mfa/transactions';
import type { Metrics } from '@radius-mfa/runtime';
import type { AuditWriter } from './audit.js';
import type { ClientRuntime } from './clients.js';
import { reject, type Decision, type DecisionRecord } from './decision.js';
import { decide, type FlowDependencies, type FlowRequest } from './flow.js';
import { RequestContentError, readAccessRequest } from './incoming.js';
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

async function decideOpened(deps: JobDependencies, opened: OpenedJob, prepareHold: FlowRequest['prepareHold'], signal: AbortSignal): Promise<{ decision: Decision; user: string; callingStationId?: string }> {
  const { job, client, packet } = opened;
  let incoming;
  try {
    incoming = readAccessRequest(packet, client.secret);
  } catch (error) {
    if (!(error instanceof RequestContentError)) throw error;
    return { decision: reject({ user: '', method: 'none', outcome: 'reject', reason: `bad-request: ${error.reason}` }, Prompts.rejected), user: '' };
  }
  const user = deps.normalizeUser(incoming.userName);
  const decision = await decide(deps, { txn: job.txn, client, packet, incoming, user, receivedAt: job.receivedAt, signal, prepareHold });
  return { decision, user, ...(incoming.callingStationId !== undefined && { callingStationId: incoming.callingStationId }) };
}

/** Decides `data` (an auth job) and delivers the verdict. Throws for a job to retry, AuthJobError for one that never can. */
export async function processAuthJob(deps: JobDependencies, data: unknown, signal: AbortSignal): Promise<JobOutcome> {
  const opened = openJob(deps, data);
  const { job, client, packet } = opened;
  // A retried job whose first attempt already answered: nothing to redo (and nothing to re-send).
  if ((await deps.redis.hexists(deps.keys.txn(job.txn), 'response')) === 1) return { status: 'already-answered', txn: job.txn };

  const responses = responsesFor(packet, client.secret);
  // Past its deadline the ingress has answered Reject already: starting a push or spending a TOTP
  // step now would act for a sign-in nobody waits for. Say Reject (first verdict wins) and stop.
  if (Date.now() >= job.deadline) {
    const record: DecisionRecord = { user: '', method: 'none', outcome: 'timeout', reason: 'job-past-deadline' };
    const delivered = await deliverWithAudit(deps, job, client, responses.reject(Prompts.sessionExpired), record);
    return { status: 'delivered', txn: job.txn, code: delivered.response[0] ?? 0, decided: delivered.decided, record };
  }
  let prepared = false;
  const prepareHold = async (attributes: readonly RadiusAttribute[], rejectMessage: string, holdMs: number): Promise<boolean> => {
    prepared = await prepareVerdicts(deps.redis, deps.keys, job.txn, { accept: responses.accept(attributes), reject: responses.reject(rejectMessage) }, holdMs);
    return prepared;
  };
  const { decision, callingStationId } = await decideOpened(deps, opened, prepareHold, signal);
  if (decision.kind === 'held') {
    await recordDecision(deps, job, client, decision.record, callingStationId);
    return { status: 'held', txn: job.txn, prepared, record: decision.record };
  }
  const bytes =
    decision.kind === 'accept'
      ? responses.accept(decision.attributes, decision.message)
      : decision.kind === 'reject'
        ? responses.reject(decision.message)
        : responses.challenge(decision.state, decision.message);
  const delivered = await deliverWithAudit(deps, job, client, bytes, decision.record, callingStationId);
  return { status: 'delivered', txn: job.txn, code: delivered.response[0] ?? 0, decided: delivered.decided, record: decision.record };
}

/**
 * The verdict and its audit entry leave together: issued in the same turn, the autopipelined
 * connection writes them as one batch (one round trip, not two). The audit writer never throws.
 * A delivery that fails still fails the job, which is retried; its entry may then have been
 * written, so a transaction whose delivery failed can have one audit entry per attempt.
 */
async function deliverWithAudit(deps: JobDependencies, job: AuthJob, client: ClientRuntime, response: Buffer, record: DecisionRecord, callingStationId?: string): Promise<DeliverResult> {
  const [delivered] = await Promise.all([deliverVerdict(deps.redis, deps.keys, job.txn, response), recordDecision(deps, job, client, record, callingStationId)]);
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
  await deliverWithAudit(deps, job, client, responsesFor(packet, client.secret).reject(Prompts.unavailable), { user: '', method: 'none', outcome: 'reject', reason: `internal-error: ${reason.slice(0, 200)}` });
  return true;
}

async function recordDecision(deps: JobDependencies, job: AuthJob, client: ClientRuntime, record: DecisionRecord, callingStationId?: string): Promise<void> {
  const now = Date.now();
  deps.metrics?.mfaChallenges.inc({ method: record.method, outcome: record.outcome });
  if (record.outcome !== 'challenge') {
    deps.metrics?.mfaAuthDuration.observe({ method: record.method, outcome: record.outcome }, Math.max(now - (record.startedAt ?? job.receivedAt), 0) / 1000);
  }
  await deps.audit({
    at: now,
    user: record.user,
    client: client.config.name,
    method: record.method,
    outcome: record.outcome,
    reason: record.reason,
    latencyMs: now - job.receivedAt,
    txn: job.txn,
    ...(callingStationId !== undefined && { callingStationId }),
  });
}
