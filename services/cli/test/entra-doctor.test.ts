// doctor and the Entra settings, against the Entra stand-in: the pinned CA file, tokens for Graph
// and ACS, a user lookup, and the ACS voice approver (its callback address must be reachable by ACS).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraStandin, startRedis, type EntraStandin, type RedisHandle } from '@radius-mfa/testing';
import { runCli } from './cli-harness.js';

interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix: string;
}

const dir = mkdtempSync(join(tmpdir(), 'rmfa-entra-doctor-'));
const sealingKey = randomBytes(32).toString('base64');
let redis: RedisHandle;
let standin: EntraStandin;
let entraLines: (ca: string) => string[];
const BYPASS_GROUP = randomUUID();

beforeAll(async () => {
  [redis, standin] = await Promise.all([startRedis(), startEntraStandin()]);
  writeFileSync(join(dir, 'ca.pem'), standin.caPem);
  writeFileSync(join(dir, 'not-a-ca.pem'), 'hello\n');
  const clientId = randomUUID();
  const clientSecret = `secret-${randomUUID()}`;
  standin.addApp({ clientId, secret: clientSecret, graphPermissions: ['User.Read.All', 'GroupMember.Read.All', 'UserAuthenticationMethod.Read.All'], acsAccess: true });
  standin.addUser({ id: randomUUID(), userPrincipalName: 'probe@contoso.example', accountEnabled: true, groups: [BYPASS_GROUP] });
  entraLines = (ca) => [
    'directories:',
    `  entra: { tenantId: "${standin.tenantId}", clientId: "${clientId}", clientSecret: "${clientSecret}", authorityHost: "${standin.authorityHost}", graphEndpoint: "${standin.graphEndpoint}", acsEndpoint: "${standin.acsEndpoint}", caCertificates: ${ca} }`,
  ];
});
afterAll(async () => {
  await Promise.all([standin?.close(), redis?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, [`redis: { url: "${redis.url}", keyPrefix: "${redis.prefix()}" }`, `security: { sealingKeys: [{ id: k1, key: "${sealingKey}" }] }`, ...lines, ''].join('\n'));
  return file;
}

async function doctor(file: string, probeUser?: string): Promise<Finding[]> {
  const run = await runCli(['doctor', '--config', file, '--json', ...(probeUser ? ['--probe-user', probeUser] : [])]);
  return (JSON.parse(run.stdout) as { findings: Finding[] }).findings;
}

const find = (findings: Finding[], check: string): Finding | undefined => findings.find((f) => f.check === check);

describe('radius-mfa doctor: Entra settings', () => {
  it('reaches Entra through the pinned CA, looks the probe user up, and checks the approval call', async () => {
    const file = write('entra.yaml', [
      'api: { listen: "http://127.0.0.1:8080" }',
      ...entraLines('ca.pem'),
      'mfa:',
      `  voice: { sender: { type: acs, from: "+18005550100", callbackSecret: "${randomBytes(32).toString('base64')}", promptUrl: "https://cdn.example.test/p.wav" } }`,
    ]);
    const findings = await doctor(file, 'probe@contoso.example');
    expect(find(findings, 'entra pinned CA')?.status).toBe('ok');
    expect(find(findings, 'entra graph-token')?.status).toBe('ok');
    expect(find(findings, 'entra user-lookup')).toMatchObject({ status: 'ok', detail: expect.stringContaining('enabled') });
    expect(find(findings, 'entra acs-token')?.status).toBe('ok');
    // api.publicUrl is loopback and plain HTTP: ACS could never post the key pressed there.
    const voice = find(findings, 'voice approval (acs)');
    expect(voice).toMatchObject({ status: 'warn', fix: expect.stringContaining('callbackBaseUrl') });
    expect(voice?.detail).not.toContain('sig=');
  });

  it('says the approval call is ready when ACS can reach the callback address', async () => {
    const file = write('entra-public.yaml', [
      ...entraLines('ca.pem'),
      'mfa:',
      `  voice: { sender: { type: acs, from: "+18005550100", callbackSecret: "${randomBytes(32).toString('base64')}", callbackBaseUrl: "https://mfa.example.com/", promptUrl: "https://cdn.example.test/p.wav" } }`,
    ]);
    expect(find(await doctor(file), 'voice approval (acs)')).toMatchObject({ status: 'ok', detail: expect.stringContaining('https://mfa.example.com/v1/voice/callback/{challenge}') });
  });

  it('fails with the reason when the CA file holds no certificate', async () => {
    const findings = await doctor(write('bad-ca.yaml', entraLines('not-a-ca.pem')));
    expect(find(findings, 'entra connection')).toMatchObject({ status: 'fail', detail: expect.stringContaining('no PEM certificate') });
  });
});

describe('radius-mfa explain: a client whose users live in Entra', () => {
  it('takes the groups from Entra by object id, as the worker would', async () => {
    const file = write('entra-explain.yaml', [
      'clients:',
      `  - { name: rdg, address: 10.0.0.5, secret: "a-long-random-shared-secret", firstFactor: none, userSource: entra, prompt: auto, bypass: { groups: ["${BYPASS_GROUP}"] } }`,
      ...entraLines('ca.pem'),
    ]);
    const run = await runCli(['explain', '--config', file, '--client', 'rdg', '--user', 'probe@contoso.example', '--json']);
    const explanation = JSON.parse(run.stdout) as { outcome: string; reason: string; groups: string[] };
    expect(explanation).toMatchObject({ outcome: 'accept', reason: 'bypass-group', groups: [BYPASS_GROUP] });
  });
});
