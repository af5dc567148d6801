import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '@radius-mfa/config';
import { problemAt, problemsOf } from './problems-of.js';

const SEALING_KEY = randomBytes(32).toString('base64');
const GOOD_SECRET = 'a-long-random-shared-secret';

/** A minimal valid config; `extra` is appended as YAML. */
function yaml(extra = '', clients = `clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${GOOD_SECRET}" }\n`): string {
  return `redis: { url: "redis://127.0.0.1:6379" }\nsecurity: { sealingKeys: [{ id: k1, key: "${SEALING_KEY}" }] }\n${clients}${extra}`;
}


describe('parseConfig: defaults', () => {
  it('applies the safe defaults to a minimal config', () => {
    const { config, warnings } = parseConfig(yaml(), { env: {} });
    expect(warnings).toEqual([]);
    expect(config.redis.keyPrefix).toBe('{rmfa}');
    expect(config.radius.listen).toEqual(['udp://0.0.0.0:1812']);
    expect(config.api.listen).toBe('http://127.0.0.1:8080');
    expect(config.api.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.ops.listen).toBe('http://127.0.0.1:9100');
    expect(config.log.level).toBe('info');
    expect(config.userNames).toEqual({ stripDomain: true, stripRealm: false, lowercase: true });
    expect(config.mfa.totp).toMatchObject({ digits: 6, period: 30, window: 1, algorithm: 'SHA1' });
    expect(config.mfa.push).toBeUndefined();
    const client = config.clients[0]!;
    expect(client).toMatchObject({
      firstFactor: 'none',
      prompt: 'challenge',
      methods: ['totp'],
      unenrolled: 'reject',
      failMode: 'closed',
      requireMessageAuthenticator: true,
      timeoutSeconds: 55,
      rateLimit: { perSecond: 500, burst: 1000 },
    });
  });

  it('does not share default arrays between clients', () => {
    const { config } = parseConfig(
      yaml('', `clients:\n  - { name: a, address: 10.0.0.1, secret: "${GOOD_SECRET}" }\n  - { name: b, address: 10.0.0.2, secret: "${GOOD_SECRET}" }\n`),
      { env: {} },
    );
    config.clients[0]!.methods.push('push');
    expect(config.clients[1]!.methods).toEqual(['totp']);
  });

  it('resolves relative certificate paths against the config directory', () => {
    const { config } = parseConfig(yaml('radius:\n  listen: ["tls://127.0.0.1:2083"]\n  tls: { cert: c.pem, key: /abs/k.pem, ca: ca.pem }\n'), {
      env: {},
      baseDir: '/etc/radius-mfa',
    });
    expect(config.radius.tls).toMatchObject({ cert: '/etc/radius-mfa/c.pem', key: '/abs/k.pem', ca: '/etc/radius-mfa/ca.pem' });
  });

  it('bounds RadSec connections by default', () => {
    const { config } = parseConfig(yaml('radius:\n  listen: ["tls://127.0.0.1:2083"]\n  tls: { cert: c.pem, key: k.pem, ca: ca.pem }\n'), { env: {} });
    expect(config.radius.tls).toMatchObject({ maxConnections: 1024, maxConnectionsPerAddress: 16, handshakeTimeoutSeconds: 10 });
  });
});

describe('parseConfig: ${NAME} interpolation', () => {
  const withSecret = yaml('', 'clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${VPN_SECRET}", timeoutSeconds: "${T:-40}" }\n');

  it('expands a set variable', () => {
    const { config } = parseConfig(withSecret, { env: { VPN_SECRET: 'from-the-environment' } });
    expect(config.clients[0]!.secret).toBe('from-the-environment');
  });

  it('uses the default when the variable is unset or empty, and converts it to the schema type', () => {
    expect(parseConfig(withSecret, { env: { VPN_SECRET: GOOD_SECRET } }).config.clients[0]!.timeoutSeconds).toBe(40);
    expect(parseConfig(withSecret, { env: { VPN_SECRET: GOOD_SECRET, T: '' } }).config.clients[0]!.timeoutSeconds).toBe(40);
    expect(parseConfig(withSecret, { env: { VPN_SECRET: GOOD_SECRET, T: '90' } }).config.clients[0]!.timeoutSeconds).toBe(90);
  });

  it('names the variable and the key when a variable without default is unset, once', () => {
    const problems = problemsOf(withSecret, {});
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('clients[0].secret');
    expect(problems[0]!.message).toContain('${VPN_SECRET}');
    expect(problems[0]!.fix).toContain('VPN_SECRET');
  });

  it('keeps YAML structure: a value with # and : stays one string', () => {
    const { config } = parseConfig(withSecret, { env: { VPN_SECRET: 'x: y # not a comment' } });
    expect(config.clients[0]!.secret).toBe('x: y # not a comment');
  });

  it('writes a literal ${ for $${', () => {
    const { config } = parseConfig(yaml('mfa:\n  totp: { issuer: "$${NOT_A_VAR}" }\n'), { env: {} });
    expect(config.mfa.totp.issuer).toBe('${NOT_A_VAR}');
  });
});

describe('parseConfig: every kind of error has a path, a message and a fix', () => {
  it('a wrong type', () => {
    const p = problemAt(problemsOf(yaml('userNames: { lowercase: sometimes }\n')), 'userNames.lowercase');
    expect(p.message).toMatch(/true or false/);
    expect(p.fix).not.toBe('');
  });

  it('a value outside an enum, with the allowed values', () => {
    const p = problemAt(problemsOf(yaml('', `clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${GOOD_SECRET}", prompt: sometimes }\n`)), 'clients[0].prompt');
    expect(p.message).toContain('"auto", "challenge", "append"');
    expect(p.message).toContain('"sometimes"');
  });

  it('a missing required key, with what it is for', () => {
    const p = problemAt(problemsOf(`security: { sealingKeys: [{ id: k1, key: "${SEALING_KEY}" }] }\n`), 'redis');
    expect(p.message).toMatch(/required/);
    expect(p.fix).toMatch(/Redis/);
  });

  it('an unknown key, with the likely spelling', () => {
    const p = problemAt(problemsOf(yaml('', `clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${GOOD_SECRET}", failmode: open }\n`)), 'clients[0].failmode');
    expect(p.fix).toContain('failMode');
  });

  it('a bad CIDR, v4 and v6', () => {
    const problems = problemsOf(yaml('', `clients:\n  - { name: vpn, address: [10.0.0.0/33, "2001:db8::/129", 300.1.2.3], secret: "${GOOD_SECRET}" }\n`));
    for (const path of ['clients[0].address[0]', 'clients[0].address[1]', 'clients[0].address[2]']) {
      expect(problemAt(problems, path).message).toMatch(/not an IP address or CIDR/);
    }
  });

  it('accepts v4 and v6 addresses and blocks', () => {
    const { config } = parseConfig(yaml('', `clients:\n  - { name: vpn, address: [192.0.2.10, 10.0.0.0/8, "::1", "2001:db8::/32", "::ffff:192.0.2.1"], secret: "${GOOD_SECRET}" }\n`), { env: {} });
    expect(config.clients[0]!.address).toHaveLength(5);
  });

  it('refuses a client secret shorter than 8 characters', () => {
    const p = problemAt(problemsOf(yaml('', 'clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "abc1234" }\n')), 'clients[0].secret');
    expect(p.message).toMatch(/shorter than 8/);
  });

  it('warns on a client secret shorter than 16 characters', () => {
    const { warnings } = parseConfig(yaml('', 'clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "abcd12345" }\n'), { env: {} });
    expect(warnings.map((w) => w.path)).toEqual(['clients[0].secret']);
    expect(warnings[0]!.message).toMatch(/shorter than 16/);
  });

  it('refuses a secret YAML read as a number (it would change: 0123 -> 123)', () => {
    const p = problemAt(problemsOf(yaml('', 'clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: 01234567890123 }\n')), 'clients[0].secret');
    expect(p.fix).toMatch(/quotes/);
  });

  it('refuses a sealing key that is not 32 bytes', () => {
    const text = yaml().replace(SEALING_KEY, randomBytes(16).toString('base64'));
    expect(problemAt(problemsOf(text), 'security.sealingKeys[0].key').message).toMatch(/32 bytes/);
  });

  it('a key prefix without a hash tag', () => {
    expect(problemAt(problemsOf(yaml('').replace('url: "redis://127.0.0.1:6379"', 'url: "redis://127.0.0.1:6379", keyPrefix: rmfa')), 'redis.keyPrefix').fix).toMatch(/hash tag/);
  });

  it('a key prefix must start with a proper {tag}: Redis Cluster hashes the first {…}, the whole key when it is empty', () => {
    const withPrefix = (prefix: string) => yaml('').replace('url: "redis://127.0.0.1:6379"', `url: "redis://127.0.0.1:6379", keyPrefix: ${JSON.stringify(prefix)}`);
    for (const good of ['{rmfa}', '{rmfa}prod', '{rmfa}:prod', '{t0a1}']) {
      expect(parseConfig(withPrefix(good), { env: {} }).config.redis.keyPrefix).toBe(good);
    }
    // '{}{x}': the first tag is empty, so every key hashes whole (keys scatter over slots).
    for (const bad of ['{}', '{}{x}', 'pre{x}', '{a{b}', '{x}{y}', '{x}}', 'x']) {
      expect(problemAt(problemsOf(withPrefix(bad)), 'redis.keyPrefix').fix, bad).toMatch(/hash tag/);
    }
  });

  it('a notifier of an unknown type, and a field of a known one', () => {
    const problems = problemsOf(yaml('mfa:\n  push: { notifier: { type: webhok, url: "http://x" } }\n  sms: { sender: { type: webhook } }\n'));
    expect(problemAt(problems, 'mfa.push.notifier.type').message).toContain('"webhook", "ntfy"');
    expect(problemAt(problems, 'mfa.sms.sender.url').message).toMatch(/required/);
  });

  it('YAML syntax errors name the line', () => {
    const p = problemsOf('redis:\n  url: "unterminated\n')[0]!;
    expect(p.path).toMatch(/line \d+/);
  });
});

describe('parseConfig: cross-field checks', () => {
  const client = (fields: string): string => `clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${GOOD_SECRET}", ${fields} }\n`;

  it('a firstFactor whose directory is not configured', () => {
    expect(problemAt(problemsOf(yaml('', client('firstFactor: ldap'))), 'clients[0].firstFactor').fix).toMatch(/directories\.ldap/);
  });

  it('push or sms in methods without their mfa section', () => {
    const problems = problemsOf(yaml('', client('methods: [push, sms]')));
    const messages = problems.filter((p) => p.path === 'clients[0].methods').map((p) => p.message);
    expect(messages).toEqual([expect.stringContaining('mfa.push'), expect.stringContaining('mfa.sms')]);
  });

  const radsec = (limits: string): string => `radius:\n  listen: ["tls://0.0.0.0:2083"]\n  tls: { cert: c.pem, key: k.pem, ca: ca.pem, ${limits} }\n`;

  it('RadSec limits out of range name the key', () => {
    const problems = problemsOf(yaml(radsec('maxConnections: 0, handshakeTimeoutSeconds: 600')));
    expect(problemAt(problems, 'radius.tls.maxConnections').message).toMatch(/1/);
    expect(problemAt(problems, 'radius.tls.handshakeTimeoutSeconds').message).toMatch(/60/);
  });

  it('warns when one address may take every RadSec slot', () => {
    const { warnings } = parseConfig(yaml(radsec('maxConnections: 8, maxConnectionsPerAddress: 32')), { env: {} });
    expect(warnings.find((w) => w.path === 'radius.tls.maxConnectionsPerAddress')?.fix).toMatch(/at most 8/);
  });

  it('warns when a tls:// listen exists and no client lists tlsNames, naming the fix; quiet once one does', () => {
    const listen = 'radius:\n  listen: ["udp://0.0.0.0:1812", "tls://0.0.0.0:2083"]\n  tls: { cert: c.pem, key: k.pem, ca: ca.pem }\n';
    const without = parseConfig(yaml(listen), { env: {} }).warnings.find((w) => w.path === 'radius.listen[1]');
    expect(without?.message).toMatch(/no client lists tlsNames/);
    expect(without?.fix).toMatch(/tlsNames: \[nas1\.example\.com\]/);
    const { config, warnings } = parseConfig(yaml(listen, client('tlsNames: [nas1.example.com, NAS-CN]')), { env: {} });
    expect(warnings.filter((w) => w.path.startsWith('radius.'))).toEqual([]);
    expect(config.clients[0]!.tlsNames).toEqual(['nas1.example.com', 'NAS-CN']);
    expect(parseConfig(yaml(), { env: {} }).config.clients[0]!.tlsNames).toEqual([]);
  });

  it('refuses a wildcard or a control character in tlsNames (matching is exact)', () => {
    const problems = problemsOf(yaml('', client('tlsNames: ["*.example.com", "ok.example.com", "a\\u0000b"]')));
    expect(problemAt(problems, 'clients[0].tlsNames[0]')).toBeDefined();
    expect(problemAt(problems, 'clients[0].tlsNames[2]')).toBeDefined();
    expect(problems.find((p) => p.path === 'clients[0].tlsNames[1]')).toBeUndefined();
  });

  it('a tls:// listen without radius.tls', () => {
    expect(problemAt(problemsOf(yaml('radius: { listen: ["udp://0.0.0.0:1812", "tls://0.0.0.0:2083"] }\n')), 'radius.listen[1]').fix).toMatch(/radius\.tls/);
  });

  it('duplicate client names and the same CIDR on two clients', () => {
    const problems = problemsOf(
      yaml('', `clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "${GOOD_SECRET}" }\n  - { name: vpn, address: [192.0.2.1, 10.0.0.0/8], secret: "${GOOD_SECRET}" }\n`),
    );
    expect(problemAt(problems, 'clients[1].name').message).toContain('clients[0]');
    expect(problemAt(problems, 'clients[1].address[1]').message).toContain('clients[0].address');
  });

  it('warns when the NAS gives up before the person can answer a push', () => {
    const { warnings } = parseConfig(yaml('mfa:\n  push: { timeoutSeconds: 60, notifier: { type: webhook, url: "http://127.0.0.1:9/push" } }\n', client('methods: [push], timeoutSeconds: 30')), { env: {} });
    const w = warnings.find((x) => x.path === 'clients[0].timeoutSeconds');
    expect(w?.message).toContain('the NAS gives up before the person can answer');
  });

  it('warns on a fixed ntfy topic (everyone subscribed sees every push), not on per-user topics', () => {
    const ntfy = (extra: string) => parseConfig(yaml(`mfa:\n  push: { notifier: { type: ntfy, url: "https://ntfy.example.test"${extra} } }\n`, client('methods: [push]')), { env: {} }).warnings;
    const shared = ntfy(', topic: approvals').find((x) => x.path === 'mfa.push.notifier.topic');
    expect(shared?.message).toMatch(/every push/);
    expect(ntfy('').map((w) => w.path)).not.toContain('mfa.push.notifier.topic');
  });

  it('warns on a push, SMS or voice webhook without signingSecret (sent unsigned), naming the key and the command; quiet once signed', () => {
    const signing = randomBytes(32).toString('base64');
    const webhooks = (extra: string) =>
      parseConfig(
        yaml(
          `mfa:\n  push: { notifier: { type: webhook, url: "https://push.example.test"${extra} } }\n  sms: { sender: { type: webhook, url: "https://sms.example.test"${extra} } }\n  voice: { sender: { type: webhook, url: "https://voice.example.test"${extra} } }\n`,
          client('methods: [push, sms, voice]'),
        ),
        { env: {} },
      ).warnings;
    const unsigned = webhooks('');
    for (const [path, receiver] of [['mfa.push.notifier.signingSecret', 'push gateway'], ['mfa.sms.sender.signingSecret', 'SMS gateway'], ['mfa.voice.sender.signingSecret', 'voice gateway']] as const) {
      const warning = unsigned.find((w) => w.path === path);
      expect(warning?.message, path).toMatch(/is not set: .* goes out unsigned/);
      expect(warning?.fix, path).toContain('openssl rand -base64 32');
      expect(warning?.fix, path).toContain(`on the ${receiver}, which must verify X-Radius-Mfa-Signature`);
    }
    const signed = webhooks(`, signingSecret: "${signing}"`);
    expect(signed.map((w) => w.path)).not.toContain('mfa.push.notifier.signingSecret');
    expect(signed.map((w) => w.path)).not.toContain('mfa.sms.sender.signingSecret');
    expect(signed.map((w) => w.path)).not.toContain('mfa.voice.sender.signingSecret');
    expect(JSON.stringify(signed)).not.toContain(signing);
  });

  it('warns on unenrolled: enroll without a first factor (the link would go to whoever types the name)', () => {
    const warningsFor = (options: string) => parseConfig(yaml('', client(options)), { env: {} }).warnings.map((w) => w.path);
    expect(warningsFor('firstFactor: none, unenrolled: enroll')).toContain('clients[0].unenrolled');
    expect(warningsFor('firstFactor: none, unenrolled: reject')).not.toContain('clients[0].unenrolled');
  });

  it('exactly one Entra credential', () => {
    const problems = problemsOf(yaml('directories:\n  entra: { tenantId: t, clientId: c }\n'));
    expect(problemAt(problems, 'directories.entra').fix).toMatch(/exactly one/);
  });
});

describe('parseConfig: all problems at once, never a secret', () => {
  it('lists three mistakes with their paths', () => {
    const problems = problemsOf(
      yaml('log: { level: loud }\n', `clients:\n  - { name: vpn, address: 10.0.0.0/40, secret: "${GOOD_SECRET}", firstFactor: radius }\n`),
    );
    expect(problems.map((p) => p.path).sort()).toEqual(['clients[0].address', 'clients[0].firstFactor', 'log.level']);
  });

  it('keeps the warnings beside the problems when refusing', () => {
    try {
      parseConfig(yaml('log: { level: loud }\n', 'clients:\n  - { name: vpn, address: 10.0.0.0/8, secret: "abcd12345" }\n'), { env: {} });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.path)).toEqual(['log.level']);
      expect((error as ConfigError).warnings.map((p) => p.path)).toEqual(['clients[0].secret']);
    }
  });

  it('never echoes a secret in any problem or warning', () => {
    const secrets = ['hunter2', 'Sh0rtButWarned', 'ldap-bind-pw-value', 'admin-token-too-short', 's1gn-s3cr3t', 'sentinel-pw-xyz'];
    const text = yaml(
      [
        `redis: { url: "redis://:sentinel-pw-xyz@127.0.0.1:6379", sentinel: { name: m, sentinels: [bad], password: "sentinel-pw-xyz" }, cluster: { nodes: ["redis://h:1"] } }`,
        'api: { adminToken: "admin-token-too-short" }',
        'directories:\n  ldap: { url: "ldap://dc", bindDn: x, bindPassword: "ldap-bind-pw-value", userSearch: { base: b, filter: "(uid=x)" }, bogus: "ldap-bind-pw-value" }',
        'mfa:\n  push: { notifier: { type: webhook, url: "http://x", signingSecret: "s1gn-s3cr3t" } }',
        '',
      ].join('\n'),
      `clients:\n  - { name: a, address: 10.0.0.1, secret: "hunter2" }\n  - { name: b, address: 10.0.0.2, secret: "Sh0rtButWarned", methods: [push] }\n`,
    ).replace('redis: { url: "redis://127.0.0.1:6379" }\n', '');
    let error: unknown;
    try {
      parseConfig(text, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const all = JSON.stringify((error as ConfigError).problems) + (error as ConfigError).message;
    expect((error as ConfigError).problems.length).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it in the error', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'redis: 3\n');
    expect(() => loadConfig(file, { env: {} })).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ problems`));
  });

  it('says when the file cannot be read', () => {
    try {
      loadConfig(join(dir, 'missing.yaml'));
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems[0]!.message).toContain('ENOENT');
    }
  });
});
