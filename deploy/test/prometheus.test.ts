// Alert rules and the compose Prometheus config, checked by the real promtool.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, requireTool, run } from './tools.js';

const rulesFile = 'deploy/prometheus/rules/radius-mfa.yml';
const rulesTestFile = 'deploy/prometheus/tests/radius-mfa.test.yml';

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: AlertRule[] }[];
}

const rules = parse(readFileSync(join(repoRoot, rulesFile), 'utf8')) as RuleFile;
const alerts = rules.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);

/** A scratch copy of deploy/prometheus, so a test can break a file without touching the repository. */
const scratchDirs: string[] = [];
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-prom-'));
  scratchDirs.push(dir);
  cpSync(join(repoRoot, 'deploy/prometheus'), dir, { recursive: true });
  return dir;
}
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

describe('alert rules', () => {
  it('pass promtool check rules', async () => {
    const result = await run(requireTool('promtool'), ['check', 'rules', rulesFile]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('pass their promtool unit tests', async () => {
    const result = await run(requireTool('promtool'), ['test', 'rules', rulesTestFile]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('cover what the issue asks for, each with a summary and a runbook line', () => {
    expect(alerts.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'RadiusMfaNoReadyIngress',
        'RadiusMfaRedisUnavailable',
        'RadiusMfaRoleNotReady',
        'RadiusMfaRejectRateSpike',
        'RadiusMfaPacketsDroppedWrongSecret',
        'RadiusMfaPacketsDroppedProbing',
        'RadiusMfaQueueBacklog',
        'RadiusMfaProviderFailures',
        'RadiusMfaFraudReported',
      ]),
    );
    for (const rule of alerts) {
      expect(rule.annotations?.runbook, `${rule.alert} runbook`).toMatch(/\S{10,}/);
      expect(rule.annotations?.summary, `${rule.alert} summary`).toMatch(/\S/);
      expect(rule.labels?.severity, `${rule.alert} severity`).toMatch(/^(warning|critical)$/);
    }
  });

  it('each have a unit test that expects them to fire and one that expects them quiet', () => {
    const tests = parse(readFileSync(join(repoRoot, rulesTestFile), 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((test) => test.alert_rule_test ?? []);
    const firing = new Set(cases.filter((t) => (t.exp_alerts ?? []).length > 0).map((t) => t.alertname));
    const quiet = new Set(cases.filter((t) => (t.exp_alerts ?? []).length === 0).map((t) => t.alertname));
    for (const rule of alerts) {
      expect(firing, `${rule.alert} has no firing test`).toContain(rule.alert);
      expect(quiet, `${rule.alert} has no quiet test`).toContain(rule.alert);
    }
  });

  it('watch readiness by the radius_mfa_ready gauge, not by up alone, and page on redis_unavailable drops', () => {
    const byName = new Map(alerts.map((rule) => [rule.alert, rule]));
    expect(byName.get('RadiusMfaNoReadyIngress')?.expr).toContain('radius_mfa_ready{role="ingress"}');
    expect(byName.get('RadiusMfaNoReadyIngress')?.expr).not.toMatch(/\bup\{/);
    expect(byName.get('RadiusMfaRoleNotReady')?.expr).toContain('radius_mfa_ready');
    expect(byName.get('RadiusMfaRedisUnavailable')?.expr).toContain('reason="redis_unavailable"');
    expect(byName.get('RadiusMfaRedisUnavailable')?.labels?.severity).toBe('critical');
  });

  it('fail promtool test rules when a threshold is changed', async () => {
    const dir = scratchCopy();
    const file = join(dir, 'rules/radius-mfa.yml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(') > 0.5');
    writeFileSync(file, text.replace(') > 0.5', ') > 0.9'));
    const result = await run(requireTool('promtool'), ['test', 'rules', join(dir, 'tests/radius-mfa.test.yml')]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('RadiusMfaRejectRateSpike');
  });

  it('fail promtool check rules when an expression does not parse', async () => {
    const dir = scratchCopy();
    const file = join(dir, 'rules/radius-mfa.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('increase(mfa_fraud_reports_total[10m])', 'increase(mfa_fraud_reports_total[10m]'));
    const result = await run(requireTool('promtool'), ['check', 'rules', file]);
    expect(result.code).not.toBe(0);
  });
});

describe('compose Prometheus config', () => {
  it('passes promtool check config', async () => {
    const result = await run(requireTool('promtool'), ['check', 'config', '--syntax-only', 'deploy/prometheus/prometheus.yml']);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('fails promtool check config when broken', async () => {
    const dir = scratchCopy();
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('scrape_interval: 15s', 'scrape_interval: fifteen'));
    const result = await run(requireTool('promtool'), ['check', 'config', '--syntax-only', file]);
    expect(result.code).not.toBe(0);
  });
});
