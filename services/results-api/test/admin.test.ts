import { beforeAll, describe, expect, it } from 'vitest';
import { base32Encode } from '@radius-mfa/mfa';
import type { ResultsApp } from '@radius-mfa/results-api';
import { ADMIN_TOKEN, RELAXED_LIMITS, createPush, metricValue, useResultsSuite } from './harness.js';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('admin API (inject)', () => {
  const suite = useResultsSuite();
  let app: ResultsApp;
  beforeAll(async () => {
    app = await suite.newApp({ rateLimitInMemory: true, rateLimits: RELAXED_LIMITS });
  });

  it('refuses calls without the right bearer token', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${ADMIN_TOKEN}x`, `Basic ${ADMIN_TOKEN}`, ADMIN_TOKEN]) {
      const response = await app.inject({ method: 'GET', url: '/v1/challenges', headers: authorization === undefined ? {} : { authorization } });
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.headers['www-authenticate']).toContain('Bearer');
    }
    expect((await app.inject({ method: 'GET', url: '/v1/challenges', headers: { authorization: `bearer ${ADMIN_TOKEN}` } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/v1/users/mallory/totp', payload: {} })).statusCode).toBe(401);
    expect(await suite.deps.users.getUser('mallory')).toBeUndefined();
  });

  it('the admin API is off without api.adminToken', async () => {
    const { buildApp } = await import('@radius-mfa/results-api');
    const { adminToken: _unused, ...api } = suite.config.api;
    const bare = await buildApp({ ...suite.deps, config: { ...suite.config, api } }, { rateLimitInMemory: true });
    expect((await bare.inject({ method: 'GET', url: '/v1/challenges', headers: auth })).statusCode).toBe(404);
    // The person-facing routes stay.
    expect((await bare.inject({ method: 'GET', url: '/v1/assets/page.css' })).statusCode).toBe(200);
    await bare.close();
  });

  it('asset names are the pages\' files only: an Object.prototype name is a 404, not a 500', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const response = await app.inject({ method: 'GET', url: `/v1/assets/${name}` });
      expect(response.statusCode, name).toBe(404);
    }
  });

  it('TOTP: enroll (fresh or imported), names normalised, remove', async () => {
    const fresh = await app.inject({ method: 'PUT', url: '/v1/users/CONTOSO%5CAlice/totp', headers: auth, payload: {} });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers['cache-control']).toBe('no-store');
    expect(fresh.json()).toMatchObject({ secret: expect.stringMatching(/^[A-Z2-7]{32}$/), otpauthUri: expect.stringContaining('otpauth://totp/Contoso%20VPN:alice?') });
    expect(await suite.deps.users.getUser('alice')).toMatchObject({ totp: { confirmed: true } });

    const secret = base32Encode(Buffer.from('12345678901234567890'));
    const imported = await app.inject({ method: 'PUT', url: '/v1/users/bob/totp', headers: auth, payload: { secret } });
    expect(imported.json()).toMatchObject({ secret });
    expect((await app.inject({ method: 'PUT', url: '/v1/users/bob/totp', headers: auth, payload: { secret: '1!1!1!1!1!1!1!1!1!' } })).statusCode).toBe(400);
    expect(suite.logs.text).not.toContain(secret);

    expect((await app.inject({ method: 'DELETE', url: '/v1/users/bob/totp', headers: auth })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: '/v1/users/bob/totp', headers: auth })).statusCode).toBe(404);
    expect((await suite.deps.users.getUser('bob'))?.totp).toBeUndefined();
  });

  it('push: enroll with a notifier override; secrets and a chosen ntfy topic are refused in it', async () => {
    const enrolled = await app.inject({ method: 'PUT', url: '/v1/users/carol/push', headers: auth, payload: { notifier: { type: 'ntfy', url: 'https://ntfy.example.test' } } });
    expect(enrolled.statusCode).toBe(200);
    expect(enrolled.headers['cache-control']).toBe('no-store');
    // ntfy: a random topic of the user's own, returned once so they can subscribe; sealed in Redis.
    const { ntfy } = enrolled.json<{ enrolled: 'push'; ntfy: { url: string; topic: string } }>();
    expect(ntfy).toEqual({ url: 'https://ntfy.example.test', topic: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    expect(ntfy.topic).not.toContain('carol');
    expect(await suite.deps.users.getNtfyTopic('carol')).toBe(ntfy.topic);
    expect(await suite.deps.users.getUser('carol')).toMatchObject({ push: { notifier: { type: 'ntfy', url: 'https://ntfy.example.test' } } });
    expect(JSON.stringify(await suite.redis.hgetall(suite.keys.user('carol')))).not.toContain(ntfy.topic);
    expect(suite.logs.text).not.toContain(ntfy.topic);
    const chosen = await app.inject({ method: 'PUT', url: '/v1/users/carol/push', headers: auth, payload: { notifier: { type: 'ntfy', url: 'https://ntfy.example.test', topic: 'carol-phone' } } });
    expect(chosen.statusCode).toBe(400);
    // The configured notifier is a webhook: no topic.
    const webhook = await app.inject({ method: 'PUT', url: '/v1/users/erin/push', headers: auth });
    expect(webhook.json()).toEqual({ enrolled: 'push' });
    const withSecret = await app.inject({ method: 'PUT', url: '/v1/users/carol/push', headers: auth, payload: { notifier: { type: 'webhook', url: 'https://x.test', signingSecret: 'abcdefghijklmnopq' } } });
    expect(withSecret.statusCode).toBe(400);
    expect((await app.inject({ method: 'PUT', url: '/v1/users/dave/push', headers: auth })).statusCode).toBe(200);
    expect(await suite.deps.users.getUser('dave')).toMatchObject({ push: { enrolledAt: expect.any(Number) } });
  });

  it('unlock clears a fraud lock', async () => {
    const push = await createPush(suite, { user: 'erin', prompt: 'challenge' });
    await app.inject({ method: 'POST', url: `/v1/deny/${push.denyToken}`, payload: { fraud: true } });
    expect(await suite.deps.users.getUser('erin')).toHaveProperty('fraudLockedAt');
    expect((await app.inject({ method: 'POST', url: '/v1/users/erin/unlock', headers: auth })).statusCode).toBe(204);
    expect(await suite.deps.users.getUser('erin')).not.toHaveProperty('fraudLockedAt');
  });

  it('lists pending challenges without the number, request or tokens', async () => {
    const pending = await createPush(suite, { user: 'frank', numberToMatch: 77, prompt: 'challenge' });
    const decided = await createPush(suite, { user: 'frank', prompt: 'challenge' });
    await app.inject({ method: 'POST', url: `/v1/approve/${decided.approveToken}`, payload: {} });
    const response = await app.inject({ method: 'GET', url: '/v1/challenges?status=pending', headers: auth });
    expect(response.statusCode).toBe(200);
    const { challenges } = response.json<{ challenges: { challengeId: string }[] }>();
    const ids = challenges.map((c) => c.challengeId);
    expect(ids).toContain(pending.challengeId);
    expect(ids).not.toContain(decided.challengeId);
    expect(challenges.find((c) => c.challengeId === pending.challengeId)).toEqual({
      challengeId: pending.challengeId,
      user: 'frank',
      client: 'vpn',
      method: 'push',
      callingStationId: '203.0.113.7',
      prompt: 'challenge',
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(response.body).not.toContain('numberToMatch');
    expect(await metricValue(suite.registry, 'mfa_pending_challenges')).toBe(await suite.worker.countPendingChallenges());
    expect(await metricValue(suite.registry, 'mfa_pending_challenges')).toBeGreaterThanOrEqual(1);
    expect(response.body).not.toContain('"request"');
    expect((await app.inject({ method: 'GET', url: '/v1/challenges?status=approved', headers: auth })).statusCode).toBe(400);
  });

  it('audit: newest first, by user, limited', async () => {
    for (let i = 0; i < 3; i++) {
      const push = await createPush(suite, { user: 'gina', prompt: 'challenge' });
      await app.inject({ method: 'POST', url: `/v1/deny/${push.denyToken}`, payload: {} });
    }
    const other = await createPush(suite, { user: 'hank', prompt: 'challenge' });
    await app.inject({ method: 'POST', url: `/v1/approve/${other.approveToken}`, payload: {} });
    const response = await app.inject({ method: 'GET', url: '/v1/audit?user=gina&limit=2', headers: auth });
    expect(response.statusCode).toBe(200);
    const { events } = response.json<{ events: { user: string; outcome: string; at: string; id: string }[] }>();
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.user === 'gina' && e.outcome === 'reject')).toBe(true);
    expect(events[0]!.id > events[1]!.id).toBe(true);
    const all = (await app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: auth })).json<{ events: { user: string }[] }>();
    expect(all.events).toEqual([expect.objectContaining({ user: 'hank' })]);
  });

  it('serves OpenAPI at /docs with the admin routes and their bearer security', async () => {
    const json = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    const doc = json.json<{ openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/users/{name}/totp', '/v1/users/{name}/push', '/v1/users/{name}/unlock', '/v1/challenges', '/v1/audit', '/v1/users/{name}/enrollment-links', '/v1/approve/{token}', '/v1/deny/{token}']),
    );
    expect(doc.paths['/v1/users/{name}/totp']!['put']!.security).toEqual([{ bearer: [] }]);
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });
});
