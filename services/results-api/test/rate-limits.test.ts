// Rate limits a flood cannot turn against real users: per token on the link routes, unknown tokens
// charged to the client address (whose live links are still served) (read from X-Forwarded-For only through a trusted proxy), admin apart.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildApp, type HttpRateLimits, type ResultsApp } from '@radius-mfa/results-api';
import { ADMIN_TOKEN, createPush, useResultsSuite } from './harness.js';

const PROXY = '127.0.0.1';
const LIMITS: HttpRateLimits = {
  perToken: { max: 5, timeWindowMs: 60_000 },
  unknownTokensPerAddress: { max: 5, timeWindowMs: 60_000 },
  adminPerAddress: { max: 3, timeWindowMs: 60_000 },
};

const junkToken = (): string => randomBytes(24).toString('base64url');

describe('rate limits (counters in Redis, two pods)', () => {
  const suite = useResultsSuite();
  const apps: ResultsApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  /** A pod behind the ingress controller at 127.0.0.1 (api.trustProxy lists it). */
  async function pod(): Promise<ResultsApp> {
    const config = { ...suite.config, api: { ...suite.config.api, trustProxy: [PROXY] } };
    const app = await buildApp({ ...suite.deps, config }, { rateLimits: LIMITS });
    apps.push(app);
    return app;
  }

  /** A request as the proxy forwards it: the proxy's own address is the peer, the phone's in X-Forwarded-For. */
  function from(app: ResultsApp, client: string, method: 'GET' | 'POST', url: string, peer = PROXY) {
    return app.inject({ method, url, remoteAddress: peer, headers: { 'x-forwarded-for': client }, ...(method === 'POST' && { payload: {} }) });
  }

  it('a flood of junk approvals from one address does not stop a real approval from another', async () => {
    const [podA, podB] = [await pod(), await pod()];
    const codes: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      // Well-formed unknown tokens and malformed ones (a 400) cost the sender alike.
      const url = i % 2 === 0 ? `/v1/approve/${junkToken()}` : '/v1/approve/xxx';
      codes.push((await from(i % 2 === 0 ? podA : podB, '203.0.113.5', 'POST', url)).statusCode);
    }
    expect(codes.slice(0, 5).every((code) => code === 404 || code === 400)).toBe(true);
    expect(codes.slice(5)).toEqual(Array<number>(15).fill(429));

    const push = await createPush(suite, { prompt: 'auto' });
    const approved = await from(podB, '198.51.100.7', 'POST', `/v1/approve/${push.approveToken}`);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toEqual({ status: 'approved' });
    expect(await suite.redis.hgetBuffer(suite.keys.txn(push.txn), 'response')).toEqual(push.accept);

    // The flooding address pays for its junk: more of it is refused until the window ends...
    const refused = await from(podA, '203.0.113.5', 'POST', `/v1/approve/${junkToken()}`);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json()).toMatchObject({ error: 'rate-limited' });
    // ...but a phone behind the same address (an office or carrier NAT) still approves a live link,
    // opens its page, and denies another.
    const behindTheSameNat = await createPush(suite, { prompt: 'challenge' });
    expect((await from(podA, '203.0.113.5', 'GET', `/v1/approve/${behindTheSameNat.approveToken}`)).statusCode).toBe(200);
    const natApproved = await from(podA, '203.0.113.5', 'POST', `/v1/approve/${behindTheSameNat.approveToken}`);
    expect(natApproved.statusCode).toBe(200);
    expect((await suite.worker.getChallenge(behindTheSameNat.challengeId))?.status).toBe('approved');
    const denied = await createPush(suite, { prompt: 'challenge' });
    expect((await from(podB, '203.0.113.5', 'POST', `/v1/deny/${denied.denyToken}`)).statusCode).toBe(200);
    expect((await suite.worker.getChallenge(denied.challengeId))?.status).toBe('denied');
    // An enrollment link is a live link too.
    const { token } = await suite.deps.enrollmentLinks.create('nat-enrollee', { methods: ['totp'], ttlMs: 60_000 });
    expect((await from(podB, '203.0.113.5', 'GET', `/v1/enroll/${token}`)).statusCode).toBe(200);
    // A link that never was is still refused.
    expect((await from(podB, '203.0.113.5', 'GET', `/v1/enroll/${junkToken()}`)).statusCode).toBe(429);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy: a fresh spoofed address per request is still one client', async () => {
    const app = await pod();
    const codes: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      codes.push((await from(app, `10.9.${i}.1`, 'POST', `/v1/approve/${junkToken()}`, '192.0.2.50')).statusCode);
    }
    expect(codes).toEqual([...Array<number>(5).fill(404), ...Array<number>(5).fill(429)]);
    // Through the trusted proxy the same header names the client, whose budget is untouched.
    expect((await from(app, '10.9.0.1', 'POST', `/v1/approve/${junkToken()}`)).statusCode).toBe(404);
  });

  it('limits a valid link per token, wherever it is opened from; valid tokens cost the address nothing', async () => {
    const app = await pod();
    const push = await createPush(suite, { prompt: 'challenge' });
    const codes: number[] = [];
    for (let i = 0; i < 7; i += 1) codes.push((await from(app, `198.51.100.${20 + i}`, 'GET', `/v1/approve/${push.approveToken}`)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect((await suite.worker.getChallenge(push.challengeId))?.status).toBe('pending');

    const other = await createPush(suite, { prompt: 'challenge' });
    for (let i = 0; i < 5; i += 1) expect((await from(app, '198.51.100.20', 'GET', `/v1/approve/${other.approveToken}`)).statusCode).toBe(200);
    // The counters are named by a digest: no token is written to Redis in clear.
    const keys = await suite.redis.keys(`${suite.keys.rate('http', '')}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.includes(push.approveToken) || key.includes(other.approveToken))).toBe(false);
  });

  it('spends one Redis round trip on the limits of a link request, the address and the token together', async () => {
    const app = await pod();
    const namespace = suite.keys.rate('http', '');
    const monitor = await new Redis(suite.server.url).monitor();
    /** Commands sent to Redis on the counters of this client or of a token (a script's own calls inside Redis are no round trips). */
    async function counterCommands(client: string, request: () => Promise<unknown>): Promise<string[][]> {
      const seen: string[][] = [];
      const marker = `end-${junkToken()}`;
      let onMonitor: (time: string, args: string[], source: string) => void = () => undefined;
      const drained = new Promise<void>((resolve) => {
        onMonitor = (_time, args, source) => {
          if (args[0] === 'echo' && args[1] === marker) resolve();
          else if (source !== 'lua' && args.some((arg) => arg.startsWith(namespace) && (arg.endsWith(`:${client}`) || arg.includes('token:')))) seen.push(args);
        };
      });
      monitor.on('monitor', onMonitor);
      await request();
      await suite.redis.echo(marker);
      await drained;
      monitor.off('monitor', onMonitor);
      return seen;
    }
    try {
      const [push, warmUp] = [await createPush(suite, { prompt: 'challenge' }), await createPush(suite, { prompt: 'challenge' })];
      // The first request loads the script (EVALSHA answered NOSCRIPT, then EVAL): not the steady state.
      expect((await from(app, '198.51.100.60', 'GET', `/v1/approve/${warmUp.approveToken}`)).statusCode).toBe(200);

      const client = '198.51.100.61';
      const commands = await counterCommands(client, async () => expect((await from(app, client, 'GET', `/v1/approve/${push.approveToken}`)).statusCode).toBe(200));
      expect(commands).toHaveLength(1);
    } finally {
      monitor.disconnect();
    }
  });

  it('limits the admin API on its own budget, which a link flood from the same address does not spend', async () => {
    const app = await pod();
    for (let i = 0; i < 8; i += 1) await from(app, '203.0.113.77', 'POST', `/v1/deny/${junkToken()}`);
    expect((await from(app, '203.0.113.77', 'POST', `/v1/deny/${junkToken()}`)).statusCode).toBe(429);

    const admin = () => app.inject({ method: 'GET', url: '/v1/challenges', remoteAddress: PROXY, headers: { 'x-forwarded-for': '203.0.113.77', authorization: `Bearer ${ADMIN_TOKEN}` } });
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push((await admin()).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await admin();
    expect(limited.json()).toMatchObject({ error: 'rate-limited' });
    // Another address's links are untouched by both.
    const push = await createPush(suite, { prompt: 'challenge' });
    expect((await from(app, '198.51.100.99', 'POST', `/v1/deny/${push.denyToken}`)).statusCode).toBe(200);
  });
});
