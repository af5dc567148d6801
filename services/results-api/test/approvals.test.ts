import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createPushLimiter } from '@radius-mfa/mfa';
import { subscribeDeliveries, deliverVerdict, type DeliverySubscription } from '@radius-mfa/transactions';
import type { DeliveryMessage } from '@radius-mfa/contracts';
import type { ResultsApp } from '@radius-mfa/results-api';
import { RELAXED_LIMITS, createPush, fakeResponse, metricValue, useResultsSuite } from './harness.js';

const PUBLIC_URL = 'https://mfa.example.test';

describe('approvals (inject)', () => {
  const suite = useResultsSuite({ publicUrl: PUBLIC_URL });
  let app: ResultsApp;
  let subscriber: Redis;
  let subscription: DeliverySubscription;
  const delivered: DeliveryMessage[] = [];

  beforeAll(async () => {
    app = await suite.newApp({ rateLimitInMemory: true, rateLimits: RELAXED_LIMITS });
    subscriber = new Redis(suite.server.url);
    subscription = await subscribeDeliveries(subscriber, suite.keys, 'ingress-test', (message) => delivered.push(message));
  });
  afterAll(async () => {
    await subscription?.close();
    subscriber?.disconnect();
  });

  async function deliveryFor(txn: string): Promise<Buffer> {
    await expect.poll(() => delivered.some((m) => m.txn === txn), { timeout: 10_000 }).toBe(true);
    return delivered.find((m) => m.txn === txn)!.response;
  }

  const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, ...(payload !== undefined && { payload: payload as object }), headers });

  it('approve with the right number: 200, the held request gets its Accept, audited and counted', async () => {
    const push = await createPush(suite, { numberToMatch: 47, prompt: 'auto', user: 'approver' });
    const response = await post(`/v1/approve/${push.approveToken}`, { number: 47 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'approved' });
    expect(await deliveryFor(push.txn)).toEqual(push.accept);
    expect((await suite.worker.getChallenge(push.challengeId))?.status).toBe('approved');
    expect(await metricValue(suite.registry, 'mfa_challenges_total', { method: 'push', outcome: 'approved' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(suite.registry, 'mfa_auth_duration_seconds', { method: 'push', outcome: 'approved' })).toBeGreaterThanOrEqual(1);
    const [, fields] = (await suite.redis.xrevrange(suite.keys.audit(), '+', '-', 'COUNT', 1))[0]!;
    expect(fields).toEqual(expect.arrayContaining(['user', 'approver', 'outcome', 'accept', 'txn', push.txn]));
  });

  it('prompt challenge: the approval is only recorded (the next Access-Request finds it); no body at all is {}', async () => {
    const push = await createPush(suite, { prompt: 'challenge' });
    const response = await app.inject({ method: 'POST', url: `/v1/approve/${push.approveToken}` });
    expect(response.statusCode).toBe(200);
    expect((await suite.worker.getChallenge(push.challengeId))?.status).toBe('approved');
    expect(await suite.redis.exists(suite.keys.txn(push.txn))).toBe(0);
  });

  it('approve with the wrong number denies: 422, the held request gets its Reject', async () => {
    const push = await createPush(suite, { numberToMatch: 47, user: 'mismatch' });
    const response = await post(`/v1/approve/${push.approveToken}`, { number: '48' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({ status: 'denied', reason: 'number-mismatch' });
    expect(await deliveryFor(push.txn)).toEqual(push.reject);
    expect((await suite.worker.getChallenge(push.challengeId))).toMatchObject({ status: 'denied', reason: 'number-mismatch' });
    expect(await metricValue(suite.registry, 'mfa_challenges_total', { outcome: 'number-mismatch' })).toBe(1);
  });

  it('deny: 200, Reject delivered', async () => {
    const push = await createPush(suite, { user: 'denier' });
    const response = await post(`/v1/deny/${push.denyToken}`, {});
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'denied', reason: 'user-denied' });
    expect(await deliveryFor(push.txn)).toEqual(push.reject);
  });

  it('fraud: 200, the user is locked, audited, counted, and the next login gets no push', async () => {
    const push = await createPush(suite, { user: 'victim' });
    const response = await post(`/v1/deny/${push.denyToken}`, { fraud: true });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'fraud' });
    expect(await deliveryFor(push.txn)).toEqual(push.reject);
    expect(await suite.deps.users.getUser('victim')).toMatchObject({ fraudReports: 1, fraudLockedAt: expect.any(Number) });
    expect(await metricValue(suite.registry, 'mfa_fraud_reports_total')).toBe(1);
    const events = await suite.deps.audit.recent({ user: 'victim', limit: 5 });
    expect(events[0]).toMatchObject({ outcome: 'fraud', reason: 'fraud-reported', method: 'push' });
    // What mfa-worker asks before sending a push: a fraud-locked user is refused at once.
    const limiter = createPushLimiter({ redis: suite.redis, keys: suite.keys, limits: { perMinute: 10, perHour: 100 }, suppressAfterDenials: 3 });
    expect(await limiter.checkPushAllowed('victim')).toEqual({ decision: 'fraud-locked' });
  });

  it('a decided challenge answers 409 decided, whichever link is used again', async () => {
    const push = await createPush(suite);
    expect((await post(`/v1/approve/${push.approveToken}`, {})).statusCode).toBe(200);
    const again = await post(`/v1/approve/${push.approveToken}`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ status: 'conflict', reason: 'decided' });
    expect((await post(`/v1/deny/${push.denyToken}`, { fraud: true })).statusCode).toBe(409);
    expect(await suite.redis.hget(suite.keys.user('alice'), 'fraudLockedAt')).toBeNull();
  });

  it('an expired challenge answers 409 expired', async () => {
    const push = await createPush(suite, { expiresAt: Date.now() - 1 });
    const response = await post(`/v1/approve/${push.approveToken}`, {});
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ status: 'conflict', reason: 'expired' });
  });

  it('an approval after the ingress already answered the NAS (deadline Reject) is 409 expired, and audited as timeout', async () => {
    const push = await createPush(suite, { user: 'slow' });
    const deadlineReject = fakeResponse(3, 'deadline');
    await deliverVerdict(suite.redis, suite.keys, push.txn, deadlineReject);
    const response = await post(`/v1/approve/${push.approveToken}`, {});
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ status: 'conflict', reason: 'expired' });
    expect((await suite.deps.audit.recent({ user: 'slow', limit: 1 }))[0]).toMatchObject({ outcome: 'timeout' });
  });

  it('the deny link never approves, and the page deny route denies with the approve token', async () => {
    const swapped = await createPush(suite, { prompt: 'challenge' });
    expect((await post(`/v1/deny/${swapped.approveToken}`, {})).json()).toEqual({ status: 'denied', reason: 'user-denied' });
    const page = await createPush(suite, { prompt: 'challenge', user: 'pagefraud' });
    expect((await post(`/v1/approve/${page.approveToken}/deny`, { fraud: true })).json()).toEqual({ status: 'fraud' });
    expect((await suite.worker.getChallenge(page.challengeId))?.status).toBe('fraud');
  });

  it('unknown tokens are 404; malformed bodies and tokens are 400', async () => {
    expect((await post('/v1/approve/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {})).statusCode).toBe(404);
    expect((await post('/v1/deny/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {})).statusCode).toBe(404);
    const malformed = await post('/v1/approve/short', {});
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'bad-request' });
    const push = await createPush(suite, { prompt: 'challenge' });
    expect((await post(`/v1/approve/${push.approveToken}`, { number: 47, extra: 1 })).statusCode).toBe(400);
    expect((await suite.worker.getChallenge(push.challengeId))?.status).toBe('pending');
  });

  it('refuses cross-site POSTs (CSRF); same-origin and non-browser callers pass', async () => {
    const push = await createPush(suite, { prompt: 'challenge' });
    const evil = await post(`/v1/approve/${push.approveToken}`, {}, { origin: 'https://evil.example' });
    expect(evil.statusCode).toBe(403);
    const crossSite = await post(`/v1/approve/${push.approveToken}`, {}, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.statusCode).toBe(403);
    expect((await suite.worker.getChallenge(push.challengeId))?.status).toBe('pending');
    const form = await app.inject({ method: 'POST', url: `/v1/approve/${push.approveToken}`, payload: 'number=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).toBe(415);
    expect((await post(`/v1/approve/${push.approveToken}`, {}, { origin: PUBLIC_URL })).statusCode).toBe(200);
  });

  it('serves the approval page: details escaped, number field, strict CSP, no caching', async () => {
    const push = await createPush(suite, { numberToMatch: 12, callingStationId: '<script>alert(1)</script>', client: 'vpn"><img src=x>' });
    const page = await app.inject({ method: 'GET', url: `/v1/approve/${push.approveToken}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-store');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x>');
    expect(page.body).toContain('id="number"');
    expect(page.body).toContain('<script src="../assets/approve.js" defer></script>');
    expect(page.body).not.toMatch(/<script>(?!<\/script>)/);
    expect(page.body).not.toContain('12</');

    const plain = await createPush(suite);
    expect((await app.inject({ method: 'GET', url: `/v1/approve/${plain.approveToken}` })).body).not.toContain('id="number"');
    expect((await app.inject({ method: 'GET', url: `/v1/approve/${plain.denyToken}` })).statusCode).toBe(404);
    await post(`/v1/approve/${plain.approveToken}`, {});
    const decided = await app.inject({ method: 'GET', url: `/v1/approve/${plain.approveToken}` });
    expect(decided.body).toContain('already answered');
    expect(decided.body).not.toContain('id="approve"');
    const script = await app.inject({ method: 'GET', url: '/v1/assets/approve.js' });
    expect(script.headers['content-type']).toContain('javascript');
  });

  it('a failure inside shows no internals, only the request id', async () => {
    const broken = await suite.newApp({ rateLimitInMemory: true });
    const push = await createPush(suite, { prompt: 'challenge' });
    // A challenge whose stored request no longer parses: the store throws while reading it.
    await suite.redis.hset(suite.keys.challenge(push.challengeId), 'request', '{not json');
    const response = await broken.inject({ method: 'POST', url: `/v1/approve/${push.approveToken}`, payload: {} });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal', message: `internal error (request ${String(response.headers['x-request-id'])})` });
    expect(response.body).not.toContain('JSON');
  });

  it('never logs a token; HTTP metrics are labelled by route template', async () => {
    const push = await createPush(suite, { prompt: 'challenge' });
    await app.inject({ method: 'GET', url: `/v1/approve/${push.approveToken}` });
    await post(`/v1/approve/${push.approveToken}`, {});
    await post(`/v1/deny/${push.denyToken}`, {});
    expect((await app.inject({ method: 'GET', url: `/v1/approve/${push.approveToken}/nothing-here?sig=${push.denyToken}` })).statusCode).toBe(404);
    expect(suite.logs.text).toContain('/v1/approve/***');
    expect(suite.logs.text).toContain('requestId');
    expect(suite.logs.text).not.toContain(push.approveToken);
    expect(suite.logs.text).not.toContain(push.denyToken);
    expect(await metricValue(suite.registry, 'http_requests_total', { route: '/v1/approve/:token', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(1);
    const exposition = await suite.registry.metrics();
    expect(exposition).not.toContain(push.approveToken);
  });

  it('never logs a token from a link that does not match a route exactly (double slash, case, a path prefix)', async () => {
    const push = await createPush(suite, { prompt: 'challenge' });
    for (const url of [`//v1/approve/${push.approveToken}`, `/V1/Approve/${push.approveToken}`, `/mfa/v1/deny/${push.denyToken}`, `/v1//enroll/${push.denyToken}/totp`, `/v1/approve/${push.approveToken}%zz`, `/v1/deny/${push.denyToken}/%E0%A4%A`]) {
      await app.inject({ method: 'GET', url });
    }
    expect(suite.logs.text).not.toContain(push.approveToken);
    expect(suite.logs.text).not.toContain(push.denyToken);
  });
});
