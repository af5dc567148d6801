import { beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, generateTotp, verifyTotp } from '@radius-mfa/mfa';
import type { ResultsApp } from '@radius-mfa/results-api';
import { ADMIN_TOKEN, RELAXED_LIMITS, useResultsSuite } from './harness.js';

const PUBLIC_URL = 'https://mfa.example.test';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('enrollment links (inject)', () => {
  const suite = useResultsSuite({ publicUrl: PUBLIC_URL });
  let podA: ResultsApp;
  let podB: ResultsApp;
  beforeAll(async () => {
    const options = { rateLimitInMemory: true, rateLimits: RELAXED_LIMITS };
    podA = await suite.newApp(options);
    podB = await suite.newApp(options);
  });

  async function newLink(user: string, body: object = {}): Promise<string> {
    const response = await podA.inject({ method: 'POST', url: `/v1/users/${user}/enrollment-links`, headers: auth, payload: body });
    expect(response.statusCode).toBe(201);
    const { url, expiresAt } = response.json<{ url: string; expiresAt: string }>();
    expect(url.startsWith(`${PUBLIC_URL}/v1/enroll/`)).toBe(true);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    return new URL(url).pathname;
  }

  it('a link shows a page, then a QR code for a sealed, unconfirmed secret; a first code confirms it once', async () => {
    const path = await newLink('enrollee', { methods: ['totp'] });
    const page = await podA.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('id="show-qr"');
    expect(page.body).not.toContain('id="enroll-push"');
    expect(await suite.deps.users.getUser('enrollee')).toBeUndefined();

    const issued = await podA.inject({ method: 'POST', url: `${path}/totp`, payload: {} });
    expect(issued.statusCode).toBe(200);
    const { secret, otpauthUri, qrSvg } = issued.json<{ secret: string; otpauthUri: string; qrSvg: string }>();
    expect(otpauthUri).toBe(`otpauth://totp/Contoso%20VPN:enrollee?secret=${secret}&issuer=Contoso%20VPN&algorithm=SHA1&digits=6&period=30`);
    expect(qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(qrSvg).not.toMatch(/<script/i);
    expect(await suite.deps.users.getUser('enrollee')).toMatchObject({ totp: { confirmed: false } });
    const stored = JSON.stringify(await suite.redis.hgetall(suite.keys.user('enrollee')));
    expect(stored).not.toContain(secret);
    // Reopening the page shows the same secret: an already scanned QR code stays good.
    expect((await podB.inject({ method: 'POST', url: `${path}/totp`, payload: {} })).json()).toMatchObject({ secret });

    expect((await podA.inject({ method: 'POST', url: `${path}/totp/confirm`, payload: { code: '000000' } })).statusCode).toBe(422);
    const code = generateTotp(base32Decode(secret));
    // Two pods given the same first code at once: it is accepted exactly once (TOTP replay).
    const answers = await Promise.all([podA, podB].map((pod) => pod.inject({ method: 'POST', url: `${path}/totp/confirm`, payload: { code } })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 422]);
    expect(answers.find((a) => a.statusCode === 200)!.json()).toEqual({ enrolled: 'totp' });
    expect(await suite.deps.users.getUser('enrollee')).toMatchObject({ totp: { confirmed: true } });
    // The code that confirmed cannot sign in afterwards (what the worker asks, from any pod).
    const atSignIn = await verifyTotp(suite.redis, suite.keys, 'enrollee', code, { ...suite.config.mfa.totp, sealer: suite.deps.sealer });
    expect(atSignIn.outcome).toBe('replayed');
    // Single use: the link is gone.
    expect((await podB.inject({ method: 'GET', url: path })).statusCode).toBe(404);
    expect((await podB.inject({ method: 'POST', url: `${path}/totp`, payload: {} })).statusCode).toBe(404);
    expect(suite.logs.text).not.toContain(path.split('/').pop()!);
    expect(suite.logs.text).not.toContain(secret);
  });

  it('a secret confirmed at sign-in ends the link: reopening it cannot replace the confirmed secret', async () => {
    const path = await newLink('signer', { methods: ['totp'] });
    const { secret } = (await podA.inject({ method: 'POST', url: `${path}/totp`, payload: {} })).json<{ secret: string }>();
    // The person scans the QR code and signs in with a first code instead of pressing Confirm:
    // the worker accepts it and confirms the enrollment, the link is not consumed by that.
    const code = generateTotp(base32Decode(secret));
    const atSignIn = await verifyTotp(suite.redis, suite.keys, 'signer', code, { ...suite.config.mfa.totp, sealer: suite.deps.sealer, allowUnconfirmed: true });
    expect(atSignIn.outcome).toBe('accepted');
    expect(await suite.deps.users.confirmTotp('signer')).toBe(true);

    // Whoever holds the link later gets no new secret, and the person's app keeps working.
    const again = await podB.inject({ method: 'POST', url: `${path}/totp`, payload: {} });
    expect(again.statusCode).toBe(404);
    expect(JSON.stringify(again.json())).not.toContain(secret);
    expect(base32Decode(secret).equals((await suite.deps.users.getTotpSecret('signer'))!.secret)).toBe(true);
    expect(await suite.deps.users.getUser('signer')).toMatchObject({ totp: { confirmed: true } });
    expect((await podB.inject({ method: 'GET', url: path })).statusCode).toBe(404);
  });

  it('push enrollment through the same page; confirming before a QR was shown is refused', async () => {
    const path = await newLink('pusher', { methods: ['totp', 'push'] });
    const page = await podA.inject({ method: 'GET', url: path });
    expect(page.body).toContain('id="enroll-push"');
    expect((await podA.inject({ method: 'POST', url: `${path}/totp/confirm`, payload: { code: '123456' } })).statusCode).toBe(409);
    const enrolled = await podA.inject({ method: 'POST', url: `${path}/push`, payload: {} });
    expect(enrolled.statusCode).toBe(200);
    expect(enrolled.json()).toEqual({ enrolled: 'push' });
    expect(await suite.deps.users.getUser('pusher')).toMatchObject({ push: { enrolledAt: expect.any(Number) } });
    expect((await podA.inject({ method: 'POST', url: `${path}/push`, payload: {} })).statusCode).toBe(404);
  });

  it('push enrollment with ntfy shows the person their own random topic, once', async () => {
    const { buildApp } = await import('@radius-mfa/results-api');
    const config = { ...suite.config, mfa: { ...suite.config.mfa, push: { ...suite.config.mfa.push!, notifier: { type: 'ntfy' as const, url: 'https://ntfy.example.test' } } } };
    const app = await buildApp({ ...suite.deps, config }, { rateLimitInMemory: true });
    try {
      const path = await newLink('subscriber', { methods: ['push'] });
      const page = await app.inject({ method: 'GET', url: path });
      expect(page.body).toContain('id="ntfy-topic"');
      const enrolled = await app.inject({ method: 'POST', url: `${path}/push`, payload: {} });
      expect(enrolled.statusCode).toBe(200);
      const { ntfy } = enrolled.json<{ ntfy: { url: string; topic: string } }>();
      expect(ntfy).toEqual({ url: 'https://ntfy.example.test', topic: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
      expect(await suite.deps.users.getNtfyTopic('subscriber')).toBe(ntfy.topic);
      // The link is spent: the topic is not shown again.
      expect((await app.inject({ method: 'POST', url: `${path}/push`, payload: {} })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('a TOTP-only link cannot enroll push; unknown links are 404 pages', async () => {
    const path = await newLink('totponly', { methods: ['totp'] });
    expect((await podA.inject({ method: 'POST', url: `${path}/push`, payload: {} })).statusCode).toBe(404);
    expect(await suite.deps.users.getUser('totponly')).toBeUndefined();
    const unknown = await podA.inject({ method: 'GET', url: '/v1/enroll/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('invalid, expired or already used');
  });

  it('a link never replaces a factor the user has: TOTP and push answer 409, the page says so; the admin API still re-enrolls', async () => {
    const { secret } = await suite.deps.users.enrollTotp('owner', { confirmed: true });
    await suite.deps.users.enrollPush('owner', { ntfyTopic: true });
    const topic = await suite.deps.users.getNtfyTopic('owner');
    const path = await newLink('owner', { methods: ['totp', 'push'] });
    const page = await podA.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('set up already');
    const totp = await podA.inject({ method: 'POST', url: `${path}/totp`, payload: {} });
    expect(totp.statusCode).toBe(409);
    expect(totp.json()).toMatchObject({ error: 'already-enrolled' });
    const push = await podA.inject({ method: 'POST', url: `${path}/push`, payload: {} });
    expect(push.statusCode).toBe(409);
    // Nothing was replaced: the person's app and ntfy topic keep working.
    expect(base32Decode(secret).equals((await suite.deps.users.getTotpSecret('owner'))!.secret)).toBe(true);
    expect(await suite.deps.users.getNtfyTopic('owner')).toBe(topic);
    // Re-enrollment stays an admin's action.
    const replaced = await podA.inject({ method: 'PUT', url: '/v1/users/owner/totp', headers: auth, payload: {} });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json<{ secret: string }>().secret).not.toBe(secret);
  });

  it('a TOTP+push link for a user with push only offers TOTP, never push', async () => {
    await suite.deps.users.enrollPush('halfway');
    const path = await newLink('halfway', { methods: ['totp', 'push'] });
    const page = await podA.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="show-qr"');
    expect(page.body).not.toContain('id="enroll-push"');
    expect((await podA.inject({ method: 'POST', url: `${path}/push`, payload: {} })).statusCode).toBe(409);
    expect((await podA.inject({ method: 'POST', url: `${path}/totp`, payload: {} })).statusCode).toBe(200);
  });

  it('a link expires with its TTL', async () => {
    const path = await newLink('late', { ttlSeconds: 60 });
    const token = path.split('/').pop()!;
    const { createHash } = await import('node:crypto');
    const key = suite.keys.enrollment(createHash('sha256').update(token).digest('hex'));
    const ttl = await suite.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await suite.redis.pexpire(key, 1);
    await expect.poll(async () => (await podA.inject({ method: 'GET', url: path })).statusCode, { timeout: 10_000 }).toBe(404);
  });
});
