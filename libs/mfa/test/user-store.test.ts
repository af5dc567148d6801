import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, createSealer, createUserStore, generateTotp, type UserStore } from '@radius-mfa/mfa';
import { dumpRedis } from './redis-dump.js';
import { useRedisSuite } from './redis-suite.js';

const totp = { issuer: 'Contoso VPN', digits: 6, period: 30, algorithm: 'SHA1' as const };

describe('user store', () => {
  const suite = useRedisSuite();
  let store: UserStore;
  const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
  beforeAll(() => {
    store = createUserStore({ redis: suite.a, keys: suite.keys, sealer, totp });
  });

  it('enrolls TOTP with the secret sealed, never in clear', async () => {
    const { secret, otpauthUri } = await store.enrollTotp('alice');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(otpauthUri).toContain('otpauth://totp/Contoso%20VPN:alice?');
    const raw = base32Decode(secret);
    const dump = await dumpRedis(suite.a, suite.prefix);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(raw.toString('base64'));
    expect(dump).not.toContain(raw.toString('hex'));
    expect((await store.getTotpSecret('alice'))?.secret.equals(raw)).toBe(true);
    const user = await store.getUser('alice');
    expect(user?.totp).toEqual({ confirmed: false, enrolledAt: expect.any(Number) });
    expect(JSON.stringify(user)).not.toContain(secret);
  });

  it('takes a given base32 secret, confirms and removes it', async () => {
    const given = 'JBSWY3DPEHPK3PXP';
    const { secret } = await store.enrollTotp('bob', { secret: given });
    expect(secret).toBe(given);
    const unsealed = await store.getTotpSecret('bob');
    expect(generateTotp(unsealed!.secret, { time: 0 })).toBe(generateTotp(base32Decode(given), { time: 0 }));
    expect(await store.confirmTotp('bob')).toBe(true);
    expect((await store.getUser('bob'))?.totp?.confirmed).toBe(true);
    expect(await store.removeTotp('bob')).toBe(true);
    expect((await store.getUser('bob'))?.totp).toBeUndefined();
    expect(await store.confirmTotp('bob')).toBe(false);
    expect(await store.removeTotp('bob')).toBe(false);
    await expect(store.enrollTotp('bob', { secret: 'not base32!' })).rejects.toThrow(/base32/);
  });

  it('a sealed secret copied to another user does not open', async () => {
    await store.enrollTotp('carol');
    const sealed = await suite.a.hget(suite.keys.user('carol'), 'totpSecret');
    await suite.a.hset(suite.keys.user('mallory'), 'totpSecret', sealed!);
    await expect(store.getTotpSecret('mallory')).rejects.toThrow(/authentication/);
  });

  it('push, phone, fraud lock and unlock', async () => {
    await store.enrollPush('dave', { notifier: { type: 'ntfy', url: 'http://127.0.0.1:1' } });
    await store.setPhone('dave', '+15550100');
    await store.lockForFraud('dave', 1234);
    await suite.a.hset(suite.keys.user('dave'), 'consecutiveDenials', '3', 'lockedUntil', '99');
    let user = await store.getUser('dave');
    expect(user).toMatchObject({
      push: { notifier: { type: 'ntfy', url: 'http://127.0.0.1:1' } },
      phone: '+15550100',
      fraudLockedAt: 1234,
      fraudReports: 1,
      consecutiveDenials: 3,
      lockedUntil: 99,
    });
    await store.unlock('dave');
    user = await store.getUser('dave');
    expect(user?.fraudLockedAt).toBeUndefined();
    expect(user?.lockedUntil).toBeUndefined();
    expect(user?.consecutiveDenials).toBe(0);
    expect(user?.fraudReports).toBe(1);
    await store.enrollPush('dave');
    expect((await store.getUser('dave'))?.push?.notifier).toBeUndefined();
    await store.setPhone('dave', undefined);
    expect((await store.getUser('dave'))?.phone).toBeUndefined();
    await store.unlock('nobody');
    expect(await store.getUser('nobody')).toBeUndefined();
  });

  it('push enrollment with ntfy mints a random topic per user, sealed, shown once', async () => {
    const first = await store.enrollPush('gus', { ntfyTopic: true });
    expect(first.ntfyTopic).toMatch(/^[A-Za-z0-9_-]{22,64}$/);
    // At least 128 bits of randomness, base64url.
    expect(Buffer.from(first.ntfyTopic!, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(await store.getNtfyTopic('gus')).toBe(first.ntfyTopic);
    const other = await store.enrollPush('hal', { ntfyTopic: true });
    expect(other.ntfyTopic).not.toBe(first.ntfyTopic);
    expect(other.ntfyTopic).not.toContain('hal');
    const dump = await dumpRedis(suite.a, suite.prefix);
    expect(dump).not.toContain(first.ntfyTopic);
    expect(dump).not.toContain(other.ntfyTopic);

    // Re-enrolling replaces it: the old topic stops receiving.
    const again = await store.enrollPush('gus', { ntfyTopic: true });
    expect(again.ntfyTopic).not.toBe(first.ntfyTopic);
    expect(await store.getNtfyTopic('gus')).toBe(again.ntfyTopic);

    // Sealed to its user: copied to another user it does not open.
    const sealed = await suite.a.hget(suite.keys.user('gus'), 'pushNtfyTopic');
    await suite.a.hset(suite.keys.user('mallory'), 'pushNtfyTopic', sealed!);
    await expect(store.getNtfyTopic('mallory')).rejects.toThrow(/authentication/);

    // An enrollment without ntfy, or removing push, drops the topic.
    expect(await store.enrollPush('hal')).toEqual({});
    expect(await store.getNtfyTopic('hal')).toBeUndefined();
    expect(await store.removePush('gus')).toBe(true);
    expect(await store.getNtfyTopic('gus')).toBeUndefined();
  });

  it('a per-user notifier keeps where pushes go, never a signing secret or access token', async () => {
    await store.enrollPush('erin', { notifier: { type: 'webhook', url: 'http://127.0.0.1:1/push', signingSecret: 'erin-signing-secret', timeoutSeconds: 3 } });
    expect((await store.getUser('erin'))?.push?.notifier).toEqual({ type: 'webhook', url: 'http://127.0.0.1:1/push', timeoutSeconds: 3 });
    await store.enrollPush('frank', { notifier: { type: 'ntfy', url: 'http://127.0.0.1:1', topic: 'frank-topic-secret', token: 'tk_frank-access-token' } });
    expect((await store.getUser('frank'))?.push?.notifier).toEqual({ type: 'ntfy', url: 'http://127.0.0.1:1' });
    const dump = await dumpRedis(suite.a, suite.prefix);
    expect(dump).not.toContain('frank-topic-secret');
    expect(dump).not.toContain('erin-signing-secret');
    expect(dump).not.toContain('tk_frank-access-token');
  });

  it('lists enrolled users page by page', async () => {
    const names = new Set<string>();
    let cursor = '0';
    do {
      const page = await store.listUsers({ cursor, count: 1 });
      page.users.forEach((name) => names.add(name));
      cursor = page.cursor;
    } while (cursor !== '0');
    expect([...names].sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gus', 'hal']);
  });
});
