// Grafana dashboards: the variables operators expect, $__rate_interval windows, the datasource
// variable everywhere, and the panels the issue lists.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    for (const word of ['jobs by state', 'worker saturation', 'round trip through redis']) expect(queue).toContain(word);
  });
});
