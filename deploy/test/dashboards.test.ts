// Grafana dashboards: the variables operators expect, $__rate_interval windows, the datasource
// variable everywhere, the panels the issue lists, and panels that read what their title says.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics, startOpsServer } from '@radius-mfa/runtime';
import { analysePromql, dashboardExpressions, exportedSeriesNames, type Dashboard as PromqlDashboard } from './promql.js';
import { repoRoot } from './tools.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
  gridPos: { x: number; y: number; w: number; h: number };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

const dir = join(repoRoot, 'deploy/grafana/dashboards');
const dashboards = new Map(
  readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard]),
);
const queryPanels = (d: Dashboard) => d.panels.filter((p) => p.type !== 'row');
const titles = (file: string) => queryPanels(dashboards.get(file)!).map((p) => p.title.toLowerCase());
const panelMetrics = (panel: Panel) => new Set((panel.targets ?? []).flatMap((t) => [...analysePromql(t.expr.replace(/\$__\w+/g, '5m')).metricNames]));

/** Series Prometheus makes itself for every target, not read from /metrics. */
const PROMETHEUS_SYNTHETIC = new Set(['up']);

/**
 * Every series name a role's /metrics can hold: the metrics registry as the process builds it
 * (createMetrics, then the ops server's readiness metrics), read without starting a role.
 */
async function registryNames(): Promise<Set<string>> {
  const registry = new Registry();
  createMetrics(registry);
  const logger = createLogger({ level: 'silent', name: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
  const ops = await startOpsServer({ listen: 'http://127.0.0.1:0', registry, logger });
  await ops.close();
  return exportedSeriesNames(await registry.metrics());
}

/** The panels this project has had to rename or re-query: the title and the one metric it must read. */
const PANEL_READS: Record<string, Record<string, string>> = {
  'queue-redis.json': { 'redis ping round trip by role (readiness check) p50/p90': 'radius_mfa_readiness_duration_seconds_bucket' },
  'mfa.json': { 'challenges decided': 'mfa_challenges_total' },
  'overview.json': {
    'ready processes by role': 'radius_mfa_ready',
    'requests dropped because redis does not answer': 'radius_packets_dropped_total',
  },
};

describe('Grafana dashboards', () => {
  it('are Overview, MFA and Queue and Redis, with distinct uids', () => {
    expect([...dashboards.keys()].sort()).toEqual(['mfa.json', 'overview.json', 'queue-redis.json']);
    expect(new Set([...dashboards.values()].map((d) => d.uid)).size).toBe(dashboards.size);
  });

  it.each([...dashboards.keys()])('%s has datasource, namespace and pod variables used by every query', (file) => {
    const dashboard = dashboards.get(file)!;
    const variables = dashboard.templating.list.map((v) => `${v.name}:${v.type}`);
    expect(variables).toEqual(['datasource:datasource', 'namespace:query', 'pod:query']);
    for (const panel of queryPanels(dashboard)) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe('${datasource}');
        expect(target.expr, panel.title).toContain('namespace=~"$namespace"');
        expect(target.expr, panel.title).toContain('pod=~"$pod"');
        // Range windows follow Grafana's scrape-aware interval, never a fixed duration.
        for (const window of target.expr.matchAll(/\[([^\]]+)\]/g)) expect(window[1], panel.title).toMatch(/^\$__(rate_interval|range)$/);
      }
    }
  });

  it.each([...dashboards.keys()])('%s panels do not overlap', (file) => {
    const panels = dashboards.get(file)!.panels;
    for (const [i, a] of panels.entries()) {
      expect(a.gridPos.x + a.gridPos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of panels.slice(i + 1)) {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x ||
          b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
          a.gridPos.y + a.gridPos.h <= b.gridPos.y ||
          b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        expect(apart, `${a.title} overlaps ${b.title}`).toBe(true);
      }
    }
  });

  it('show what the issue asks for', () => {
    const overview = titles('overview.json').join('\n');
    for (const word of ['requests', 'accept rate per client', 'reject rate per client', 'challenge rate per client', 'latency percentiles', 'dropped packets by reason']) {
      expect(overview).toContain(word);
    }
    const mfa = titles('mfa.json').join('\n');
    for (const word of ['challenges by method and outcome', 'pending challenges', 'time to decision', 'fraud reports', 'provider errors']) {
      expect(mfa).toContain(word);
    }
    const queue = titles('queue-redis.json').join('\n');
    for (const word of ['jobs by state', 'worker saturation', 'redis ping round trip']) expect(queue).toContain(word);
  });

  describe('panels read what their title says', () => {
    let exported: Set<string>;
    beforeAll(async () => {
      exported = await registryNames();
    });

    it('the registry holds the contract metrics and the readiness metrics (the check below is not vacuous)', () => {
      for (const name of ['radius_requests_received_total', 'mfa_challenges_total', 'bullmq_job_count', 'radius_mfa_ready', 'radius_mfa_readiness_duration_seconds_bucket']) {
        expect(exported, name).toContain(name);
      }
      expect(exported).not.toContain('radius_request_duration_seconds_p50');
    });

    it.each([...dashboards.keys()])('%s: every query names only metrics of the metrics registry', (file) => {
      const sources = dashboardExpressions(dashboards.get(file) as unknown as PromqlDashboard);
      expect(sources.length).toBeGreaterThan(5);
      const unknown = sources.flatMap(({ where, expr }) =>
        [...analysePromql(expr).metricNames].filter((name) => !exported.has(name) && !PROMETHEUS_SYNTHETIC.has(name)).map((name) => `${where}: ${name}`),
      );
      expect(unknown).toEqual([]);
    });

    it.each(Object.entries(PANEL_READS))('%s: renamed panels read their metric', (file, expected) => {
      const panels = queryPanels(dashboards.get(file)!);
      for (const [title, metric] of Object.entries(expected)) {
        const panel = panels.find((p) => p.title.toLowerCase() === title);
        expect(panel, `${file} has no panel "${title}"`).toBeDefined();
        expect([...panelMetrics(panel!)], title).toEqual([metric]);
      }
    });

    it('the Redis PING panel reads the redis readiness check alone, and no query mixes the checks', () => {
      const ping = queryPanels(dashboards.get('queue-redis.json')!).find((p) => p.title.toLowerCase().startsWith('redis ping round trip'));
      expect(ping?.targets?.length).toBeGreaterThan(0);
      for (const target of ping?.targets ?? []) expect(target.expr).toMatch(/radius_mfa_readiness_duration_seconds_bucket\{check="redis",/);
      // A slow socket or start-up check must never read as Redis latency: every selector names its check.
      for (const [file, dashboard] of dashboards) {
        for (const panel of queryPanels(dashboard)) {
          for (const target of panel.targets ?? []) {
            for (const selector of target.expr.matchAll(/radius_mfa_readiness_duration_seconds\w*(\{[^}]*\})?/g)) {
              expect(selector[1] ?? '', `${file} / ${panel.title}`).toMatch(/\bcheck="[a-z-]+"/);
            }
          }
        }
      }
    });

    it('no Redis panel plots request durations, and no panel on decided challenges says "started"', () => {
      for (const [file, dashboard] of dashboards) {
        for (const panel of queryPanels(dashboard)) {
          const metrics = panelMetrics(panel);
          if (/redis/i.test(panel.title)) expect(metrics, `${file} / ${panel.title}`).not.toContain('radius_request_duration_seconds_bucket');
          if (metrics.has('mfa_challenges_total')) expect(panel.title, file).not.toMatch(/start/i);
        }
      }
    });
  });
});
