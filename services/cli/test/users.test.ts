// users enroll / import / list / unlock against a real Redis, through the real command line parser.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@radius-mfa/contracts';
import { base32Encode, createPushLimiter, createSealerFromBase64, createUserStore, generateTotp, type UserStore } from '@radius-mfa/mfa';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { runCli } from './cli-harness.js';

let redisServer: RedisHandle;
let redis: Redis;
const dir = mkdtempSync(join(tmpdir(), 'rmfa-users-'));
const sealingKey = randomBytes(32).toString('base64');

/** A config of its own key prefix, so each test sees only its own users. */
function configFor(prefix: string): { file: string; store: UserStore; keys: ReturnType<typeof redisKeys> } {
  const file = join(dir, `config-${prefix.replace(/\W/g, '')}.yaml`);
  writeFileSync(
    file,
    [
      `redis: { url: "${redisServer.url}", keyPrefix: "${prefix}" }`,
      `security: { sealingKeys: [{ id: k1, key: "${sealingKey}" }] }`,
      'mfa: { totp: { issuer: "Contoso VPN" } }',
      'clients: []',
    ].join('\n'),
  );
  const keys = redisKeys(prefix);
  return { file, keys, store: createUserStore({ redis, keys, sealer: createSealerFromBase64([{ id: 'k1', key: sealingKey }]), totp: { issuer: 'Contoso VPN', digits: 6, period: 30, algorithm: 'SHA1' } }) };
}

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  await redis.config('SET', 'maxmemory', '0');
  redis.disconnect();
  await redisServer.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('users enroll', () => {
  it('enrolls TOTP from --config alone: prints the secret, the otpauth URI and a QR code; Redis holds it sealed', async () => {
    const { file, store, keys } = configFor(redisServer.prefix());
    const run = await runCli(['users', 'enroll', 'CONTOSO\\Alice', '--totp', '--qr', '--config', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const secret = /secret:\s+([A-Z2-7]+)/.exec(run.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(run.stdout).toContain(`otpauth://totp/Contoso%20VPN:alice?secret=${secret}`);
    expect(run.stdout).toMatch(/[▀▄█]/);
    const stored = await store.getTotpSecret('alice');
    expect(stored && base32Encode(stored.secret)).toBe(secret);
    // No cleartext secret anywhere in the user's hash.
    expect(JSON.stringify(await redis.hgetall(keys.user('alice')))).not.toContain(secret!);
  });

  it('takes a given --secret, and answers --json', async () => {
    const { file, store } = configFor(redisServer.prefix());
    const secret = base32Encode(randomBytes(20));
    const run = await runCli(['users', 'enroll', 'bob', '--totp', '--secret', secret, '--phone', '+49 151 2345 6789', '--json', '-c', file]);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { user: string; totp: { secret: string }; phone: string };
    expect(parsed).toMatchObject({ user: 'bob', totp: { secret }, phone: '+4915123456789' });
    expect((await store.getUser('bob'))?.phone).toBe('+4915123456789');
  });

  it('push with an ntfy notifier prints the user\'s own random topic (sealed in Redis)', async () => {
    const prefix = redisServer.prefix();
    const { file, store, keys } = configFor(prefix);
    writeFileSync(file, readFileSync(file, 'utf8').replace('mfa: { totp: { issuer: "Contoso VPN" } }', 'mfa: { totp: { issuer: "Contoso VPN" }, push: { notifier: { type: ntfy, url: "https://ntfy.example.test" } } }'));
    const run = await runCli(['users', 'enroll', 'nina', '--push', '--config', file]);
    expect(run.code).toBe(0);
    const topic = /ntfy topic:\s+([A-Za-z0-9_-]+) on https:\/\/ntfy\.example\.test/.exec(run.stdout)?.[1];
    expect(topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await store.getNtfyTopic('nina')).toBe(topic);
    expect(JSON.stringify(await redis.hgetall(keys.user('nina')))).not.toContain(topic!);
    const json = await runCli(['users', 'enroll', 'omar', '--push', '--json', '--config', file]);
    expect(JSON.parse(json.stdout)).toMatchObject({ user: 'omar', push: true, ntfy: { url: 'https://ntfy.example.test', topic: await store.getNtfyTopic('omar') } });
  });

  it('exits 2 when nothing is asked, and 1 on an invalid config', async () => {
    const { file } = configFor(redisServer.prefix());
    expect((await runCli(['users', 'enroll', 'carol', '-c', file])).code).toBe(2);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'redis: { url: "nope" }\n');
    const run = await runCli(['users', 'enroll', 'carol', '--totp', '-c', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('redis.url');
  });
});

describe('users import', () => {
  it('imports 10,000 users with some bad rows: reports each bad row, and every good user is there', async () => {
    const { file, store, keys } = configFor(redisServer.prefix());
    const secrets = new Map<string, string>();
    const lines = ['name,totp,phone,push'];
    const bad = new Map<number, string>();
    for (let i = 0; i < 10_000; i++) {
      const line = lines.length + 1;
      if (i % 1000 === 7) {
        lines.push(`user${i},NOT-BASE32!,,`);
        bad.set(line, 'not base32');
      } else if (i % 1000 === 8) {
        lines.push(`user${i},,0151-123,no`);
        bad.set(line, 'E.164');
      } else if (i % 1000 === 9) {
        lines.push(`user${i},,,`);
        bad.set(line, 'nothing to enroll');
      } else {
        const secret = base32Encode(randomBytes(20));
        secrets.set(`user${i}`, secret);
        lines.push(`User${i},${secret},${i % 2 === 0 ? '+4915100000000' : ''},${i % 3 === 0 ? 'yes' : 'no'}`);
      }
    }
    lines.push('user11,' + base32Encode(randomBytes(20)) + ',,');
    bad.set(lines.length, 'same user as row');
    lines.push('shortsecret,' + base32Encode(randomBytes(8)) + ',,');
    bad.set(lines.length, '128');
    const csv = join(dir, 'staff.csv');
    writeFileSync(csv, `${lines.join('\r\n')}\r\n`);

    const run = await runCli(['users', 'import', csv, '-c', file, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { imported: number; created: number; refused: { row: number; reason: string }[] };
    expect(result.imported).toBe(secrets.size);
    expect(result.created).toBe(secrets.size);
    expect(result.refused.map((r) => r.row).sort((a, b) => a - b)).toEqual([...bad.keys()].sort((a, b) => a - b));
    for (const refused of result.refused) expect(refused.reason).toContain(bad.get(refused.row));

    expect(await redis.scard(keys.users())).toBe(secrets.size);
    for (const [name, secret] of [...secrets].filter((_, i) => i % 97 === 0)) {
      const stored = await store.getTotpSecret(name);
      expect(stored?.confirmed).toBe(true);
      expect(base32Encode(stored!.secret)).toBe(secret);
    }
    expect((await store.getUser('user0'))?.push).toBeDefined();
    expect((await store.getUser('user2'))?.phone).toBe('+4915100000000');
    expect(await store.getUser('user7')).toBeUndefined();
  }, 120_000);

  it('writes nothing when Redis refuses the transaction', async () => {
    const { file, keys } = configFor(redisServer.prefix());
    const json = join(dir, 'users.json');
    writeFileSync(json, JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ name: `u${i}`, totp: base32Encode(randomBytes(20)) }))));
    // noeviction with no memory left: Redis refuses the queued writes and aborts the whole EXEC.
    await redis.config('SET', 'maxmemory', '1');
    try {
      const run = await runCli(['users', 'import', json, '-c', file]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/OOM|EXECABORT|nothing was written/);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    expect(await redis.scard(keys.users())).toBe(0);
    expect(await redis.exists(keys.user('u0'))).toBe(0);
  });

  it('generates secrets on request and writes them to --secrets-out, owner-only; JSON input', async () => {
    const { file, store } = configFor(redisServer.prefix());
    const json = join(dir, 'gen.json');
    writeFileSync(json, JSON.stringify({ users: [{ name: 'dave', totp: 'generate' }, { name: 'erin', push: true }] }));
    const out = join(dir, 'secrets.csv');
    expect((await runCli(['users', 'import', json, '-c', file])).code).toBe(2);
    const run = await runCli(['users', 'import', json, '-c', file, '--secrets-out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('imported 2 of 2 users');
    const written = readFileSync(out, 'utf8');
    const secret = /"dave","([A-Z2-7]+)"/.exec(written)?.[1];
    expect(base32Encode((await store.getTotpSecret('dave'))!.secret)).toBe(secret);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect((await store.getUser('erin'))?.push).toBeDefined();
  });

  it('push rows with an ntfy notifier get a random topic each, written to --secrets-out (sealed in Redis)', async () => {
    const { file, store, keys } = configFor(redisServer.prefix());
    writeFileSync(file, readFileSync(file, 'utf8').replace('mfa: { totp: { issuer: "Contoso VPN" } }', 'mfa: { totp: { issuer: "Contoso VPN" }, push: { notifier: { type: ntfy, url: "https://ntfy.example.test" } } }'));
    const csv = join(dir, 'push.csv');
    writeFileSync(csv, 'name,totp,phone,push\npia,,,yes\nquin,generate,,yes\nrob,,+4915100000000,no\n');
    const out = join(dir, 'push-secrets.csv');
    const refused = await runCli(['users', 'import', csv, '-c', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--secrets-out');
    expect((await runCli(['users', 'import', csv, '-c', file, '--secrets-out', out])).code).toBe(0);
    const written = readFileSync(out, 'utf8').trim().split('\n');
    expect(written[0]).toBe('name,secret,otpauthUri,ntfyTopic');
    const pia = await store.getNtfyTopic('pia');
    const quin = await store.getNtfyTopic('quin');
    expect(pia).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(quin).not.toBe(pia);
    expect(written).toContain(`"pia","","","${pia}"`);
    expect(written.find((line) => line.startsWith('"quin"'))).toMatch(new RegExp(`^"quin","[A-Z2-7]+","otpauth://[^"]+","${quin}"$`));
    expect(written.some((line) => line.startsWith('"rob"'))).toBe(false);
    expect(JSON.stringify(await redis.hgetall(keys.user('pia')))).not.toContain(pia!);
  });

  it('refuses a CSV with an unknown column as a whole (exit 1), nothing written', async () => {
    const { file, keys } = configFor(redisServer.prefix());
    const csv = join(dir, 'typo.csv');
    writeFileSync(csv, 'name,topt\nzoe,generate\n');
    const run = await runCli(['users', 'import', csv, '-c', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown: topt');
    expect(await redis.scard(keys.users())).toBe(0);
  });
});

describe('users list and unlock', () => {
  it('lists users with their factors and clears a lockout', async () => {
    const { file, store, keys } = configFor(redisServer.prefix());
    const { secret } = await store.enrollTotp('frank', { confirmed: true });
    await store.lockForFraud('frank');
    await store.setPhone('gina', '+4915123456789');
    const list = await runCli(['users', 'list', '-c', file, '--json']);
    expect(list.code).toBe(0);
    const users = JSON.parse(list.stdout) as { name: string; totp: string; phone: string; locked: string }[];
    expect(users).toEqual([
      { name: 'frank', totp: 'confirmed', push: 'no', phone: 'no', locked: 'fraud report', pushLimit: 'no' },
      { name: 'gina', totp: 'no', push: 'no', phone: '+49*********89', locked: 'no', pushLimit: 'no' },
    ]);
    expect(list.stdout).not.toContain(secret);

    const unlock = await runCli(['users', 'unlock', 'Frank', '-c', file]);
    expect(unlock.code).toBe(0);
    expect((await store.getUser('frank'))?.fraudLockedAt).toBeUndefined();
    expect(await redis.hexists(keys.user('frank'), 'fraudLockedAt')).toBe(0);
    expect((await runCli(['users', 'unlock', 'nobody', '-c', file])).code).toBe(1);
    // The code still works after the unlock: the enrollment itself was untouched.
    expect(generateTotp((await store.getTotpSecret('frank'))!.secret)).toMatch(/^\d{6}$/);
  });

  it('shows a full push window with its remaining time; unlock clears it and says what it cleared', async () => {
    const { file, store, keys } = configFor(redisServer.prefix());
    await store.enrollPush('hana');
    // No mfa.push in this config: the worker's default limits (3 a minute, 10 an hour) apply to calls and texts.
    const limiter = createPushLimiter({ redis, keys, limits: { perMinute: 3, perHour: 10 }, suppressAfterDenials: 3 });
    for (let i = 0; i < 3; i++) expect((await limiter.checkPushAllowed('hana')).decision).toBe('allowed');
    expect((await limiter.checkPushAllowed('hana')).decision).toBe('rate-limited');

    const list = await runCli(['users', 'list', '-c', file, '--json']);
    const [hana] = JSON.parse(list.stdout) as { name: string; locked: string; pushLimit: string }[];
    expect(hana).toMatchObject({ name: 'hana', locked: 'no' });
    expect(hana!.pushLimit).toMatch(/^pushes, calls and texts refused for another ([1-9]|[1-5]\d|60) s: 3 of 3 this minute \(mfa\.push\.limits\.perMinute\)$/);
    const text = await runCli(['users', 'list', '-c', file]);
    expect(text.stdout).toMatch(/hana .*locked: no {2}push limit: pushes, calls and texts refused for another \d+ s/);

    const unlock = await runCli(['users', 'unlock', 'hana', '-c', file]);
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toMatch(/^unlocked hana: .*push rate limit cleared \(3 of 3 this minute \(mfa\.push\.limits\.perMinute\), \d+ s left; 3 of 10 this hour \(mfa\.push\.limits\.perHour\), \d+ s left\)$/m);
    expect(await redis.exists(keys.rate('push-min', 'hana'), keys.rate('push-hour', 'hana'))).toBe(0);
    expect((await limiter.checkPushAllowed('hana')).decision).toBe('allowed');
    expect(JSON.parse((await runCli(['users', 'list', '-c', file, '--json'])).stdout)).toMatchObject([{ name: 'hana', pushLimit: 'no' }]);

    // Nothing running: --json says so with an empty list.
    await redis.del(keys.rate('push-min', 'hana'), keys.rate('push-hour', 'hana'));
    const again = await runCli(['users', 'unlock', 'hana', '-c', file, '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ user: 'hana', unlocked: true, clearedPushLimits: [] });
    expect((await runCli(['users', 'unlock', 'hana', '-c', file])).stdout).toContain('no push rate limit was running');
  });

  it('exits 2 with the fix when Redis cannot be reached', async () => {
    const file = join(dir, 'unreachable.yaml');
    writeFileSync(file, `redis: { url: "redis://127.0.0.1:1" }\nsecurity: { sealingKeys: [{ id: k1, key: "${sealingKey}" }] }\n`);
    const run = await runCli(['users', 'list', '-c', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot reach Redis at 127.0.0.1:1');
  });
});
