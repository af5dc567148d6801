// The Helm chart, checked by the real Helm 3 (lint --strict, template) and the rendered
// manifests by the Kubernetes / Prometheus Operator / KEDA schemas.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ConfigSchema } from '@radius-mfa/config';
import { envExampleFilled } from './compose-env.js';
import { ManifestValidationError, validateManifest, type Manifest } from './kubernetes-schemas.js';
import { CLI } from './radius-mfa-process.js';
import { repoRoot, requireTool, run } from './tools.js';

const chart = join(repoRoot, 'deploy/helm/radius-mfa');
const ciValues = readdirSync(join(chart, 'ci'))
  .filter((name) => name.endsWith('.yaml'))
  .sort();
const MONITORING_API = ['--api-versions', 'monitoring.coreos.com/v1'];

async function helm(args: readonly string[]) {
  return run(requireTool('helm'), args);
}

/** `helm template` → manifests; throws with Helm's message when rendering fails. */
async function render(args: readonly string[] = [], chartDir = chart): Promise<Manifest[]> {
  const result = await helm(['template', 'rmfa', chartDir, '--namespace', 'auth', ...args]);
  if (result.code !== 0) throw new Error(`helm template ${args.join(' ')} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} not rendered; have ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: number; protocol: string }[];
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  serviceAccountName?: string;
  topologySpreadConstraints?: { topologyKey: string }[];
}
const podSpec = (deployment: Manifest) =>
  (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const spec = <T>(manifest: Manifest) => (manifest as unknown as { spec: T }).spec;

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

let defaults: Manifest[];
let defaultsWithMonitoring: Manifest[];
let full: Manifest[];
let hpa: Manifest[];
beforeAll(async () => {
  [defaults, defaultsWithMonitoring, full, hpa] = await Promise.all([
    render(),
    render(MONITORING_API),
    render(['-f', join(chart, 'ci/full-values.yaml'), ...MONITORING_API]),
    render(['-f', join(chart, 'ci/hpa-values.yaml')]),
  ]);
});

describe('helm lint --strict', () => {
  it.each(ciValues)('passes with ci/%s', async (file) => {
    const result = await helm(['lint', '--strict', chart, '-f', join(chart, 'ci', file)]);
    expect(result.stdout).toContain('0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it('fails on a value the schema forbids', async () => {
    for (const set of ['worker.autoscaling.mode=sometimes', 'ports.radius=70000', 'secrets.existingSecret=', 'config.ops.listen=http://x', 'config.radius.tls.maxConnections=5']) {
      const result = await helm(['lint', '--strict', chart, '--set', set]);
      expect(result.code, set).not.toBe(0);
    }
  });

  it('fails on a broken template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmfa-chart-'));
    scratchDirs.push(dir);
    cpSync(chart, dir, { recursive: true, dereference: true });
    const file = join(dir, 'templates/results-service.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{{- include "radius-mfa.componentSelectorLabels" $ctx | nindent 4 }}', '{{- include "radius-mfa.componentSelectorLabels" $ctx | nindent 4 }'));
    const result = await helm(['lint', '--strict', dir]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('results-service.yaml');
  });
});

describe('rendered manifests', () => {
  it.each([
    ['defaults', [] as string[]],
    ['defaults with the Prometheus Operator', MONITORING_API],
    ...ciValues.map((file) => [`ci/${file}`, ['-f', join(chart, 'ci', file)]] as [string, string[]]),
    ...ciValues.map((file) => [`ci/${file} with the Prometheus Operator`, ['-f', join(chart, 'ci', file), ...MONITORING_API]] as [string, string[]]),
  ])('match the Kubernetes schemas: %s', async (_name, args) => {
    const manifests = await render(args);
    expect(manifests.length).toBeGreaterThan(5);
    for (const manifest of manifests) {
      validateManifest(manifest);
      expect(manifest.metadata.labels?.['app.kubernetes.io/name'], `${manifest.kind} labels`).toBe('radius-mfa');
      expect(manifest.metadata.labels?.['app.kubernetes.io/instance']).toBe('rmfa');
      expect(manifest.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
      expect(manifest.metadata.labels?.['helm.sh/chart']).toMatch(/^radius-mfa-\d/);
    }
  });

  it('schema validation rejects a broken manifest and an unknown kind', () => {
    const service = structuredClone(find(defaults, 'Service', 'rmfa-radius-mfa-ingress'));
    (spec<{ ports: { port: unknown }[] }>(service)).ports[0]!.port = 'radius';
    expect(() => validateManifest(service)).toThrow(ManifestValidationError);
    expect(() => validateManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toThrow(/no schema/);
  });

  it('exposes RADIUS on UDP 1812 through a LoadBalancer that keeps the client address', () => {
    const service = spec<{ type: string; externalTrafficPolicy: string; ports: { port: number; protocol: string }[] }>(
      find(defaults, 'Service', 'rmfa-radius-mfa-ingress'),
    );
    expect(service.type).toBe('LoadBalancer');
    expect(service.externalTrafficPolicy).toBe('Local');
    expect(service.ports).toEqual([{ name: 'radius', port: 1812, targetPort: 'radius', protocol: 'UDP' }]);
    expect(defaults.some((m) => m.metadata.name.endsWith('-radsec'))).toBe(false);

    const radsec = spec<{ externalTrafficPolicy: string; ports: { port: number; protocol: string }[] }>(
      find(full, 'Service', 'rmfa-radius-mfa-ingress-radsec'),
    );
    expect(radsec.externalTrafficPolicy).toBe('Local');
    expect(radsec.ports[0]).toMatchObject({ port: 2083, protocol: 'TCP' });
    const ingressPod = podSpec(find(full, 'Deployment', 'rmfa-radius-mfa-ingress'));
    expect(ingressPod.containers[0]!.volumeMounts?.map((m) => m.mountPath)).toContain('/etc/radius-mfa/tls');
  });

  it('runs one Deployment per role, hardened, with probes, spread and secrets by reference', () => {
    for (const [component, role] of [
      ['ingress', 'ingress'],
      ['worker', 'worker'],
      ['results', 'results'],
    ] as const) {
      const deployment = find(defaults, 'Deployment', `rmfa-radius-mfa-${component}`);
      const pod = podSpec(deployment);
      const container = pod.containers[0]!;
      expect(container.env?.find((e) => e.name === 'RADIUS_MFA_ROLE')?.value).toBe(role);
      expect(container.envFrom).toEqual([{ secretRef: { name: 'radius-mfa-secrets' } }]);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.serviceAccountName).toBe('rmfa-radius-mfa');
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(pod.topologySpreadConstraints?.map((c) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      expect(container.ports?.find((p) => p.name === 'ops')?.containerPort).toBe(9100);

      const selector = spec<{ selector: { matchLabels: Record<string, string> } }>(deployment).selector.matchLabels;
      expect(spec<{ selector: { matchLabels: Record<string, string> } }>(find(defaults, 'PodDisruptionBudget', `rmfa-radius-mfa-${component}`)).selector.matchLabels).toEqual(selector);
      expect(spec<{ podSelector: { matchLabels: Record<string, string> } }>(find(defaults, 'NetworkPolicy', `rmfa-radius-mfa-${component}`)).podSelector.matchLabels).toEqual(selector);
    }
    expect(defaults.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  it('renders the config with the listen addresses the Services point at', () => {
    const configMap = find(defaults, 'ConfigMap', 'rmfa-radius-mfa') as Manifest & { data: Record<string, string> };
    const config = parse(configMap.data['config.yaml']!) as { radius: { listen: string[] }; ops: { listen: string }; api: { listen: string }; redis: { keyPrefix: string } };
    expect(config.radius.listen).toEqual(['udp://0.0.0.0:1812']);
    expect(config.ops.listen).toBe('http://0.0.0.0:9100');
    expect(config.api.listen).toBe('http://0.0.0.0:8080');
    expect(config.redis.keyPrefix).toBe('{rmfa}');
    const fullConfig = parse((find(full, 'ConfigMap', 'rmfa-radius-mfa') as Manifest & { data: Record<string, string> }).data['config.yaml']!) as { radius: { listen: string[] } };
    expect(fullConfig.radius.listen).toEqual(['udp://0.0.0.0:1812', 'tls://0.0.0.0:2083']);
  });

  it('scales workers with KEDA on waiting, prioritized and active jobs, or with an HPA', () => {
    const scaled = spec<{ scaleTargetRef: { name: string }; triggers: { type: string; metadata: { query: string; threshold: string } }[] }>(
      find(full, 'ScaledObject', 'rmfa-radius-mfa-worker'),
    );
    expect(scaled.scaleTargetRef.name).toBe('rmfa-radius-mfa-worker');
    expect(scaled.triggers[0]!.type).toBe('prometheus');
    expect(scaled.triggers[0]!.metadata.query).toContain('state=~"waiting|prioritized|active"');
    expect(scaled.triggers[0]!.metadata.query).toContain('namespace="auth"');
    expect(scaled.triggers[0]!.metadata.threshold).toBe('25');
    expect(spec<{ replicas?: number }>(find(full, 'Deployment', 'rmfa-radius-mfa-worker')).replicas).toBeUndefined();

    const autoscaler = spec<{ scaleTargetRef: { name: string }; metrics: { type: string }[] }>(find(hpa, 'HorizontalPodAutoscaler', 'rmfa-radius-mfa-worker'));
    expect(autoscaler.scaleTargetRef.name).toBe('rmfa-radius-mfa-worker');
    expect(autoscaler.metrics.map((m) => m.type)).toEqual(['Resource', 'External']);
    expect(defaults.some((m) => m.kind === 'ScaledObject' || m.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });

  it('offers an Ingress for results-api', () => {
    const ingress = spec<{ rules: { host: string }[]; tls: { secretName: string }[] }>(find(full, 'Ingress', 'rmfa-radius-mfa-results'));
    expect(ingress.rules[0]!.host).toBe('mfa.ci.example.com');
    expect(ingress.tls[0]!.secretName).toBe('mfa-ci-tls');
    expect(defaults.some((m) => m.kind === 'Ingress')).toBe(false);
  });

  it('creates ServiceMonitor and PrometheusRule only when the monitoring.coreos.com API exists', () => {
    expect(defaults.filter((m) => m.apiVersion.startsWith('monitoring.coreos.com'))).toEqual([]);
    const monitor = spec<{ selector: { matchLabels: Record<string, string> }; endpoints: { port: string; relabelings: { targetLabel: string }[] }[] }>(
      find(defaultsWithMonitoring, 'ServiceMonitor', 'rmfa-radius-mfa'),
    );
    const metricsService = find(defaultsWithMonitoring, 'Service', 'rmfa-radius-mfa-metrics');
    for (const [label, value] of Object.entries(monitor.selector.matchLabels)) expect(metricsService.metadata.labels?.[label]).toBe(value);
    expect(monitor.endpoints[0]!.port).toBe('ops');
    expect(monitor.endpoints[0]!.relabelings.map((r) => r.targetLabel)).toContain('role');

    const rule = find(defaultsWithMonitoring, 'PrometheusRule', 'rmfa-radius-mfa');
    expect(spec(rule)).toEqual(parse(readFileSync(join(repoRoot, 'deploy/prometheus/rules/radius-mfa.yml'), 'utf8')));
  });

  it('ships every dashboard in a ConfigMap for the Grafana sidecar', () => {
    const configMap = find(defaults, 'ConfigMap', 'rmfa-radius-mfa-dashboards') as Manifest & { data: Record<string, string> };
    expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
    const files = readdirSync(join(repoRoot, 'deploy/grafana/dashboards')).filter((f) => f.endsWith('.json'));
    expect(Object.keys(configMap.data).sort()).toEqual(files.sort());
    for (const file of files) {
      expect(JSON.parse(configMap.data[file]!)).toEqual(JSON.parse(readFileSync(join(repoRoot, 'deploy/grafana/dashboards', file), 'utf8')));
    }
  });
});

/** The `radius.tls` connection limits the chart exposes as `radsec.*`, with their bounds and defaults in the config schema. */
const RADSEC_LIMITS = ['maxConnections', 'maxConnectionsPerAddress', 'handshakeTimeoutSeconds'] as const;
const configTlsSchema = ConfigSchema.properties.radius.properties.tls.properties;
type RadsecLimits = Record<(typeof RADSEC_LIMITS)[number], number>;

function renderedConfig(manifests: Manifest[]): { radius: { tls?: Partial<RadsecLimits> & { cert: string } } } {
  return parse((find(manifests, 'ConfigMap', 'rmfa-radius-mfa') as Manifest & { data: Record<string, string> }).data['config.yaml']!) as never;
}

describe('RadSec connection limits (radsec.* → radius.tls.*)', () => {
  const radsecOn = ['--set', 'radsec.enabled=true', '--set', 'secrets.radsecTlsSecret=radsec-tls'];

  it('renders the values set in ci/full-values.yaml, and that config passes `radius-mfa config check`', async () => {
    const values = parse(readFileSync(join(chart, 'ci/full-values.yaml'), 'utf8')) as { radsec: RadsecLimits };
    const tls = renderedConfig(full).radius.tls;
    for (const key of RADSEC_LIMITS) {
      expect(values.radsec[key], `ci/full-values.yaml sets radsec.${key} away from its default`).not.toBe(configTlsSchema[key].default);
      expect(tls?.[key], key).toBe(values.radsec[key]);
    }

    const dir = mkdtempSync(join(tmpdir(), 'rmfa-chart-config-'));
    scratchDirs.push(dir);
    writeFileSync(join(dir, 'config.yaml'), stringify(renderedConfig(full)));
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', REDIS_URL: 'redis://redis-master.redis.svc:6379', ...envExampleFilled() };
    const check = await run(process.execPath, [CLI, 'config', 'check', join(dir, 'config.yaml')], { env });
    expect(check.stdout + check.stderr).toContain('config OK');
    expect(check.stdout + check.stderr).not.toMatch(/radius\.tls/);
    expect(check.code).toBe(0);
  });

  it("defaults to radius-mfa's own defaults with RadSec on, and renders nothing with RadSec off", async () => {
    const tls = renderedConfig(await render(radsecOn)).radius.tls;
    for (const key of RADSEC_LIMITS) expect(tls?.[key], key).toBe(configTlsSchema[key].default);

    const off = await render(['--set', 'radsec.maxConnections=2048', '--set', 'radsec.handshakeTimeoutSeconds=5']);
    expect(renderedConfig(off).radius).toEqual({ listen: ['udp://0.0.0.0:1812'] });
  });

  it.each(RADSEC_LIMITS)('helm lint takes radsec.%s within the config schema bounds and fails outside them', async (key) => {
    const { minimum, maximum } = configTlsSchema[key] as { minimum: number; maximum?: number };
    const lint = (value: number) => helm(['lint', '--strict', chart, '--set', `radsec.${key}=${value}`]);
    for (const inside of [minimum, maximum ?? minimum + 1_000_000]) expect((await lint(inside)).code, `${key}=${inside}`).toBe(0);
    for (const outside of [minimum - 1, ...(maximum === undefined ? [] : [maximum + 1])]) {
      const result = await lint(outside);
      expect(result.code, `${key}=${outside}`).not.toBe(0);
      expect(result.stdout + result.stderr).toContain(`radsec.${key}`);
    }
  });
});

describe('chart documentation', () => {
  it('describes every top-level value in the chart README', () => {
    const readme = readFileSync(join(chart, 'README.md'), 'utf8');
    const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    for (const key of Object.keys(values)) expect(readme, `README mentions ${key}`).toContain(`\`${key}`);
  });
});

describe('results-api Ingress (results.httpIngress)', () => {
  type IngressSpec = { rules: { http: { paths: { path: string; pathType: string; backend: { service: { name: string } } }[] } }[] };
  const paths = (manifests: Manifest[]) => spec<IngressSpec>(find(manifests, 'Ingress', 'rmfa-radius-mfa-results')).rules[0]!.http.paths;
  const apiOf = (manifests: Manifest[]) => (renderedConfig(manifests) as unknown as { api: { trustProxy?: unknown } }).api;
  const ingressOn = ['--set', 'results.httpIngress.enabled=true'];

  it('routes only what phones need by default, and trusts X-Forwarded-For only from the controller pods', () => {
    expect(paths(full).map((p) => p.path)).toEqual(['/v1/approve', '/v1/deny', '/v1/enroll', '/v1/voice/callback', '/v1/assets']);
    expect(paths(full).every((p) => p.pathType === 'Prefix' && p.backend.service.name === 'rmfa-radius-mfa-results')).toBe(true);
    expect(apiOf(full).trustProxy).toEqual(['10.244.0.0/16']);
    expect(apiOf(defaults).trustProxy).toBeUndefined();
  });

  it('routes the admin API and /docs too only with exposeAdmin', async () => {
    const exposed = await render(['-f', join(chart, 'ci/full-values.yaml'), '--set', 'results.httpIngress.exposeAdmin=true']);
    expect(paths(exposed).map((p) => p.path)).toEqual(['/']);
  });

  it('refuses to render an Ingress without trusted proxy addresses, unless config.api.trustProxy is set', async () => {
    await expect(render(ingressOn)).rejects.toThrow(/results\.httpIngress\.trustedProxyCIDRs/);
    const own = await render([...ingressOn, '--set', 'config.api.trustProxy[0]=192.0.2.10']);
    expect(apiOf(own).trustProxy).toEqual(['192.0.2.10']);
    const lint = await helm(['lint', '--strict', chart, '--set', 'results.httpIngress.exposeAdmin=maybe']);
    expect(lint.code).not.toBe(0);
  });
});
