// The Entra settings: pinned CA file, Graph cache, the per-client user source and the ACS
// voice approval call (signed callbacks).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '@radius-mfa/config';
import { problemsOf } from './problems-of.js';

const SEALING_KEY = randomBytes(32).toString('base64');
const SECRET = 'a-long-random-shared-secret';
const GROUP_ID = '6e7b5c1a-9f3d-4b2e-8a11-2c4d5e6f7a8b';
const ENTRA = 'directories:\n  entra: { tenantId: t, clientId: c, clientSecret: s, acsEndpoint: "https://acs.example.com" }\n';

function yaml(extra: string, client = ''): string {
  return `redis: { url: "redis://127.0.0.1:6379" }\nsecurity: { sealingKeys: [{ id: k1, key: "${SEALING_KEY}" }] }\nclients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${SECRET}"${client ? `, ${client}` : ''} }\n${extra}`;
}


const voice = (sender: string): string => `mfa:\n  voice: { sender: { type: acs, from: "+18005550100", ${sender} } }\n`;

describe('directories.entra: CA file and cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-entra-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves caCertificates against the config file and defaults the Graph cache to 60 s', () => {
    writeFileSync(join(dir, 'config.yaml'), yaml('directories:\n  entra: { tenantId: t, clientId: c, clientSecret: s, caCertificates: proxy-ca.pem }\n'));
    const { config } = loadConfig(join(dir, 'config.yaml'), { env: {} });
    expect(config.directories.entra?.caCertificates).toBe(join(dir, 'proxy-ca.pem'));
    expect(config.directories.entra?.cacheTtlSeconds).toBe(60);
  });

  it('refuses a negative or day-long cache', () => {
    expect(problemsOf(yaml('directories:\n  entra: { tenantId: t, clientId: c, clientSecret: s, cacheTtlSeconds: -1 }\n')).map((p) => p.path)).toContain('directories.entra.cacheTtlSeconds');
    expect(problemsOf(yaml('directories:\n  entra: { tenantId: t, clientId: c, clientSecret: s, cacheTtlSeconds: 86400 }\n')).map((p) => p.path)).toContain('directories.entra.cacheTtlSeconds');
  });
});

describe('clients[].userSource', () => {
  it('entra needs directories.entra', () => {
    const problem = problemsOf(yaml('', 'userSource: entra')).find((p) => p.path === 'clients[0].userSource');
    expect(problem?.message).toContain('directories.entra is not configured');
  });

  it('accepts group object ids, and warns about a group display name that could never match', () => {
    const good = parseConfig(yaml(ENTRA, `userSource: entra, bypass: { groups: ["${GROUP_ID}"] }`), { env: {} });
    expect(good.config.clients[0]?.userSource).toBe('entra');
    expect(good.warnings).toEqual([]);
    const named = parseConfig(yaml(ENTRA, 'firstFactor: entra, requireGroups: ["VPN Users"]'), { env: {} });
    expect(named.warnings.find((w) => w.path === 'clients[0].requireGroups[0]')?.message).toContain('not an Entra group object id');
  });

  it('leaves other clients alone (LDAP group names are names)', () => {
    const { warnings } = parseConfig(yaml('directories:\n  local: { users: [] }\n', 'firstFactor: local, requireGroups: ["VPN Users"]'), { env: {} });
    // Only the group rule is under test: no users here is warned about on its own (local-users.test.ts).
    expect(warnings.filter((w) => w.path.includes('requireGroups'))).toEqual([]);
  });
});

describe('mfa.voice.sender acs (approval call)', () => {
  const key = randomBytes(32).toString('base64');

  it('takes the callback key from the environment and never echoes it', () => {
    const { config } = parseConfig(yaml(ENTRA + voice('callbackSecret: "${VOICE_KEY}", promptUrl: "https://cdn.example.com/press-pound.wav"')), { env: { VOICE_KEY: key } });
    expect(config.mfa.voice?.sender).toMatchObject({ type: 'acs', callbackSecret: key, promptUrl: 'https://cdn.example.com/press-pound.wav' });
    const problems = problemsOf(yaml(ENTRA + voice('callbackSecret: "${VOICE_KEY}", promptUrl: "https://cdn.example.com/p.wav"')), { VOICE_KEY: 'too-short-key-123' });
    const short = problems.find((p) => p.path === 'mfa.voice.sender.callbackSecret');
    expect(short?.message).toMatch(/32/);
    expect(short).toBeDefined();
    expect(JSON.stringify(problems)).not.toContain('too-short-key-123');
  });

  it('needs something to say: a speech endpoint or an audio file', () => {
    const problem = problemsOf(yaml(ENTRA + voice(`callbackSecret: "${key}"`))).find((p) => p.path === 'mfa.voice.sender');
    expect(problem?.fix).toMatch(/cognitiveServicesEndpoint|promptUrl/);
    expect(parseConfig(yaml(ENTRA + voice(`callbackSecret: "${key}", cognitiveServicesEndpoint: "https://speech.example.com"`)), { env: {} }).config.mfa.voice?.sender.type).toBe('acs');
  });

  it('needs directories.entra.acsEndpoint', () => {
    const problems = problemsOf(yaml(voice(`callbackSecret: "${key}", promptUrl: "https://cdn.example.com/p.wav"`)));
    expect(problems.find((p) => p.path === 'mfa.voice.sender')?.message).toContain('acsEndpoint');
  });
});
