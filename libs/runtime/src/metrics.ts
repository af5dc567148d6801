// Every metric of CONTRACT.md, declared once. Labels never carry a user name or a raw IP.
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

/** prom-client default gauges named `_total`, which promtool rejects (a gauge must not end in _total). */
const REJECTED_DEFAULT_METRICS = new Set([
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]);

const RADIUS_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** A person answering a push or typing a code takes seconds to a minute and a half. */
const MFA_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90];
const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(registry: Registry) {
  const registers = [registry];
  const metrics = {
    radiusRequestsReceived: new Counter({
      name: 'radius_requests_received_total',
      help: 'RADIUS requests received, by client and packet type',
      labelNames: ['client', 'type'] as const,
      registers,
    }),
    radiusResponsesSent: new Counter({
      name: 'radius_responses_sent_total',
      help: 'RADIUS responses sent, by client and response code',
      labelNames: ['client', 'code'] as const,
      registers,
    }),
    radiusPacketsDropped: new Counter({
      name: 'radius_packets_dropped_total',
      help: 'RADIUS packets dropped without an answer, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    radiusDuplicates: new Counter({
      name: 'radius_duplicates_total',
      help: 'Retransmitted RADIUS requests, by outcome (joined, cached, ...)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    radiusRequestDuration: new Histogram({
      name: 'radius_request_duration_seconds',
      help: 'Time from receiving a RADIUS request to sending its response',
      labelNames: ['client', 'code'] as const,
      buckets: RADIUS_DURATION_BUCKETS,
      registers,
    }),
    radiusPendingTransactions: new Gauge({
      name: 'radius_pending_transactions',
      help: 'RADIUS transactions this process holds while waiting for a verdict',
      registers,
    }),
    mfaChallenges: new Counter({
      name: 'mfa_challenges_total',
      help: 'Second-factor challenges, by method and outcome',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
    mfaPendingChallenges: new Gauge({
      name: 'mfa_pending_challenges',
      help: 'Out-of-band challenges waiting for an answer',
      registers,
    }),
    mfaAuthDuration: new Histogram({
      name: 'mfa_auth_duration_seconds',
      help: 'Time from challenge to decision, by method and outcome',
      labelNames: ['method', 'outcome'] as const,
      buckets: MFA_DURATION_BUCKETS,
      registers,
    }),
    mfaProviderRequests: new Counter({
      name: 'mfa_provider_requests_total',
      help: 'Requests to external providers (directories, notifiers, senders), by provider and outcome',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
    mfaFraudReports: new Counter({
      name: 'mfa_fraud_reports_total',
      help: 'Pushes reported as fraud ("this was not me")',
      registers,
    }),
    bullmqJobCount: new Gauge({
      name: 'bullmq_job_count',
      help: 'BullMQ jobs by queue and state (KEDA/HPA scale workers on waiting|prioritized|active)',
      labelNames: ['queue', 'state'] as const,
      registers,
    }),
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests, by route template, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration, by route template, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    }),
  };
  collectDefaultMetrics({ register: registry });
  for (const name of REJECTED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A Redis PING check is sub-millisecond on a LAN, up to the check timeout; the in-process checks take microseconds. */
const READINESS_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Readiness as a metric: declared here with the others, registered by the ops server, which
 * evaluates the readiness checks at each scrape. The `role` label comes from the scrape target.
 */
export function createReadinessMetrics(registry: Registry) {
  const registers = [registry];
  return {
    ready: new Gauge({
      name: 'radius_mfa_ready',
      help: '1 while every /readyz check of this process passes, 0 otherwise; evaluated at each scrape',
      registers,
    }),
    readinessDuration: new Histogram({
      name: 'radius_mfa_readiness_duration_seconds',
      help: 'Time each /readyz check took on its own at a scrape where it passed, by check; check="redis" is the round trip of a PING on the process\'s Redis connection',
      labelNames: ['check'] as const,
      buckets: READINESS_DURATION_BUCKETS,
      registers,
    }),
  };
}

export type ReadinessMetrics = ReturnType<typeof createReadinessMetrics>;
