// Every PromQL expression of the dashboards, the alert rules and the chart's KEDA trigger
// parses, and reads only metrics that radius-mfa really exports: the names come from the
// /metrics of a running radius-mfa (the built CLI started on the compose config, with Redis).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { analysePromql, dashboardExpressions, exportedSeriesNames, type Dashboard, type PromqlSource } from './promql.js';
import { startRadiusMfa, type RadiusMfaProcess } from './radius-mfa-process.js';
import { repoRoot, requireTool, run } from './tools.js';

/**
 * The role started for the metric names: every role in one process, the image's default.
 * (Each role's process registers the same metrics through createMetrics.)
 */
const METRICS_ROLE = 'all';

/** Series Prometheus makes itself for every target, not read from /metrics. */
const PROMETHEUS_SYNTHETIC = new Set(['up']);

const dashboardDir = join(repoRoot, 'deploy/grafana/dashboards');
const dashboards = readdirSync(dashboardDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(dashboardDir, file), 'utf8')) as Dashboard);

const ruleFile = parse(readFileSync(join(repoRoot, 'deploy/prometheus/rules/radius-mfa.yml'), 'utf8')) as {
  groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
};
const ruleExpressions: PromqlSource[] = ruleFile.groups.flatMap((group) =>
  group.rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr })),
);

async function chartExpressions(): Promise<PromqlSource[]> {
  const chart = join(repoRoot, 'deploy/helm/radius-mfa');
  const result = await run(requireTool('helm'), ['template', 'rmfa', chart, '-f', join(chart, 'ci/full-values.yaml')]);
  expect(result.code, result.stderr).toBe(0);
  const manifests = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as { kind?: string; spec?: { triggers?: { type: string; metadata: { query: string } }[] } } | null);
  return manifests
    .filter((m) => m?.kind === 'ScaledObject')
    .flatMap((m) => (m!.spec?.triggers ?? []).filter((t) => t.type === 'prometheus').map((t) => ({ where: 'chart ScaledObject', expr: t.metadata.query })));
}

let redis: RedisHandle;
let radiusMfa: RadiusMfaProcess | undefined;
let exported: Set<string>;
let exposition: string;

beforeAll(async () => {
  redis = await startRedis();
  radiusMfa = await startRadiusMfa(METRICS_ROLE, redis.url);
  const response = await fetch(`${radiusMfa.opsUrl}/metrics`);
  expect(response.status).toBe(200);
  exposition = await response.text();
  exported = exportedSeriesNames(exposition);
});

afterAll(async () => {
  await radiusMfa?.stop();
  await redis?.stop();
});

function unknownNames(sources: readonly PromqlSource[]): string[] {
  return sources.flatMap(({ where, expr }) =>
    [...analysePromql(expr).metricNames].filter((name) => !exported.has(name) && !PROMETHEUS_SYNTHETIC.has(name)).map((name) => `${where}: ${name}`),
  );
}

function syntaxErrors(sources: readonly PromqlSource[]): string[] {
  return sources.flatMap(({ where, expr }) => analysePromql(expr).errors.map((error) => `${where}: ${error}`));
}

describe('PromQL', () => {
  it('reads the names from a radius-mfa started on the compose config, healthy and ready', async () => {
    expect((await fetch(`${radiusMfa!.opsUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${radiusMfa!.opsUrl}/readyz`)).status).toBe(200);
  });

  it('the metrics process exports the contract metrics', () => {
    for (const name of [
      'radius_requests_received_total',
      'radius_responses_sent_total',
      'radius_packets_dropped_total',
      'radius_request_duration_seconds_bucket',
      'mfa_challenges_total',
      'mfa_pending_challenges',
      'mfa_fraud_reports_total',
      'bullmq_job_count',
      'process_start_time_seconds',
      'radius_mfa_ready',
      'radius_mfa_readiness_duration_seconds_bucket',
    ]) {
      expect(exported, name).toContain(name);
    }
  });

  it('the started process reports itself ready in the scrape (the gauge the availability alerts read)', () => {
    expect(exposition).toMatch(/^radius_mfa_ready 1$/m);
    // Each check is timed on its own; the dashboards' Redis panel reads check="redis".
    expect(exposition).toMatch(/^radius_mfa_readiness_duration_seconds_count\{check="redis"\} 1$/m);
  });

  it('every readiness check a dashboard selects is one the started process times', () => {
    const selected = new Set(dashboards.flatMap(dashboardExpressions).flatMap(({ expr }) => [...expr.matchAll(/radius_mfa_readiness_duration_seconds\w*\{[^}]*\bcheck="([^"]+)"/g)].map((m) => m[1]!)));
    expect([...selected]).toEqual(['redis']);
    for (const check of selected) expect(exposition).toContain(`radius_mfa_readiness_duration_seconds_count{check="${check}"}`);
  });

  it('every dashboard query parses and reads exported metrics only', () => {
    const sources = dashboards.flatMap(dashboardExpressions);
    expect(sources.length).toBeGreaterThan(30);
    expect(syntaxErrors(sources)).toEqual([]);
    expect(unknownNames(sources)).toEqual([]);
  });

  it('every alert rule parses and reads exported metrics only', () => {
    expect(ruleExpressions.length).toBeGreaterThan(5);
    expect(syntaxErrors(ruleExpressions)).toEqual([]);
    expect(unknownNames(ruleExpressions)).toEqual([]);
  });

  it('the chart KEDA trigger parses and reads exported metrics only', async () => {
    const sources = await chartExpressions();
    expect(sources).toHaveLength(1);
    expect(syntaxErrors(sources)).toEqual([]);
    expect(unknownNames(sources)).toEqual([]);
  });

  it('every exported radius_/mfa_/bullmq_ metric is used by a dashboard', () => {
    const used = new Set(dashboards.flatMap(dashboardExpressions).flatMap(({ expr }) => [...analysePromql(expr).metricNames]));
    const families = [...exposition.matchAll(/^# TYPE ((?:radius|mfa|bullmq)_\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
    for (const [name, type] of families) {
      const usedAsSeries = type === 'histogram' ? ['_bucket', '_sum', '_count'].some((s) => used.has(name + s)) : used.has(name);
      expect(usedAsSeries, `${name} on no dashboard`).toBe(true);
    }
  });

  it('flags a misspelt metric and a broken expression', () => {
    const misspelt = [{ where: 'probe', expr: 'sum(rate(radius_requests_recieved_total[5m]))' }];
    expect(syntaxErrors(misspelt)).toEqual([]);
    expect(unknownNames(misspelt)).toEqual(['probe: radius_requests_recieved_total']);
    expect(syntaxErrors([{ where: 'probe', expr: 'sum(rate(radius_requests_received_total[5m])' }])).not.toEqual([]);
    expect(syntaxErrors([{ where: 'probe', expr: 'rate(radius_requests_received_total[$__rate_interval])' }])).not.toEqual([]);
  });
});
