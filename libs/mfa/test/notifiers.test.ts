import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePhone, freeTcpPort, type FakePhone } from '@radius-mfa/testing';
import {
  createChallengeStore,
  createNotifier,
  createNtfyNotifier,
  createWebhookNotifier,
  generateMatchNumber,
  generateNtfyTopic,
  NotifierError,
  usesPersonalNtfyTopic,
  verifyWebhookSignature,
  type ChallengeStore,
  type DecisionResult,
  type PushNotification,
} from '@radius-mfa/mfa';
import { useRedisSuite } from './redis-suite.js';

const CONTRACT_FIELDS = ['approveUrl', 'callingStationId', 'challengeId', 'client', 'denyUrl', 'expiresAt', 'user'];
const SECRET = 'webhook-signing-secret';

function push(overrides: Partial<PushNotification> = {}): PushNotification {
  return {
    challengeId: 'c1',
    user: 'alice',
    client: 'vpn',
    callingStationId: '203.0.113.9',
    approveUrl: 'http://127.0.0.1:1/approve/x',
    denyUrl: 'http://127.0.0.1:1/deny/x',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    ...overrides,
  };
}

async function notifierError(promise: Promise<unknown>): Promise<NotifierError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof NotifierError)) throw new Error(`expected a NotifierError, got ${String(error)}`);
  return error;
}

/** A stand-in for the results-api approval routes: POST /approve/:token and /deny/:token. */
async function startApprovalServer(store: ChallengeStore): Promise<{ url: string; server: Server }> {
  const statusOf = (result: DecisionResult): number =>
    result.outcome === 'conflict' ? 409 : result.outcome === 'not-found' ? 404 : result.outcome === 'denied' && result.reason === 'number-mismatch' ? 422 : 200;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const [, action, token] = (request.url ?? '').split('/');
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { number?: number; fraud?: boolean };
      const decision = action === 'approve' ? { ...(body.number !== undefined && { number: body.number }) } : { fraud: body.fraud === true };
      store.decideChallenge(token ?? '', decision).then(
        (result) => response.writeHead(statusOf(result), { 'content-type': 'application/json' }).end(JSON.stringify({ outcome: result.outcome })),
        () => response.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('push notifiers', () => {
  const suite = useRedisSuite();
  let phone: FakePhone;
  let store: ChallengeStore;
  let approvals: { url: string; server: Server };

  beforeAll(async () => {
    phone = await startFakePhone({ signingSecret: SECRET });
    store = createChallengeStore({ redis: suite.a, keys: suite.keys });
    approvals = await startApprovalServer(store);
  });
  afterAll(async () => {
    await phone?.close();
    approvals?.server.closeAllConnections();
    await new Promise((resolve) => approvals?.server.close(resolve));
  });

  async function pushFor(numberToMatch?: number): Promise<{ notification: PushNotification; challengeId: string }> {
    const expiresAt = Date.now() + 60_000;
    const created = await store.createChallenge({
      user: 'alice',
      client: 'vpn',
      method: 'push',
      txn: `txn-${Math.random()}`,
      callingStationId: '203.0.113.9',
      expiresAt,
      request: { identifier: 1, authenticator: '00'.repeat(16), proxyStates: [] },
      prompt: 'challenge',
      ...(numberToMatch !== undefined && { numberToMatch }),
    });
    if (!created.created) throw new Error('expected a new challenge');
    const notification = push({
      challengeId: created.challengeId,
      approveUrl: `${approvals.url}/approve/${created.approveToken}`,
      denyUrl: `${approvals.url}/deny/${created.denyToken}`,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    return { notification, challengeId: created.challengeId };
  }

  it('webhook: the signed contract payload, never the number; the phone approves with it', async () => {
    const number = generateMatchNumber();
    const { notification, challengeId } = await pushFor(number);
    const notifier = createNotifier({ type: 'webhook', url: phone.pushUrl, signingSecret: SECRET });
    // Even a caller that leaks the number into the object cannot get it sent.
    await notifier.send({ ...notification, numberToMatch: number } as PushNotification);
    const received = await phone.nextPush();
    expect(Object.keys(received.raw).sort()).toEqual(CONTRACT_FIELDS);
    expect(received.raw).toEqual({ ...notification });
    expect(Object.values(received.raw)).not.toContain(number);
    const signature = { signature: received.headers['x-radius-mfa-signature'], timestamp: received.headers['x-radius-mfa-timestamp'] };
    expect(verifyWebhookSignature(received.rawBody, signature, SECRET)).toBe(true);
    expect(verifyWebhookSignature(received.rawBody, signature, 'other')).toBe(false);
    expect(Number(received.headers['x-radius-mfa-timestamp'])).toBeGreaterThan(1_700_000_000);

    expect(await phone.approve(received, number)).toEqual({ status: 200, body: { outcome: 'approved' } });
    expect(await phone.approve(received, number)).toMatchObject({ status: 409 });
    expect((await store.getChallenge(challengeId))?.status).toBe('approved');
  });

  it('webhook: a wrong number (422) and a fraud report through the phone', async () => {
    const wrong = await pushFor(42);
    await createWebhookNotifier({ type: 'webhook', url: phone.pushUrl, signingSecret: SECRET }).send(wrong.notification);
    expect(await phone.approve(await phone.nextPush(), 43)).toMatchObject({ status: 422 });
    const fraud = await pushFor();
    await createWebhookNotifier({ type: 'webhook', url: phone.pushUrl, signingSecret: SECRET }).send(fraud.notification);
    expect(await phone.deny(await phone.nextPush(), { fraud: true })).toEqual({ status: 200, body: { outcome: 'fraud' } });
    expect((await store.getChallenge(fraud.challengeId))?.status).toBe('fraud');
  });

  it('webhook: a bad signature is refused by the receiver and surfaces as a typed error', async () => {
    const before = phone.rejected.length;
    const error = await notifierError(createWebhookNotifier({ type: 'webhook', url: phone.pushUrl, signingSecret: 'wrong' }).send(push()));
    expect(error).toMatchObject({ reason: 'http-status', status: 401 });
    const unsigned = await notifierError(createWebhookNotifier({ type: 'webhook', url: phone.pushUrl }).send(push()));
    expect(unsigned.status).toBe(401);
    expect(phone.rejected.slice(before).map((r) => r.reason)).toEqual(['bad-signature', 'bad-signature']);
  });

  it('webhook failures: status, timeout, network, abort', async () => {
    const notifier = createWebhookNotifier({ type: 'webhook', url: phone.pushUrl, signingSecret: SECRET });
    // Short, but only ever met by a receiver that never answers.
    const impatient = createWebhookNotifier({ type: 'webhook', url: phone.pushUrl, signingSecret: SECRET, timeoutSeconds: 0.3 });
    try {
      phone.failWith(503);
      expect(await notifierError(notifier.send(push()))).toMatchObject({ reason: 'http-status', status: 503 });
      phone.failWith('hang');
      expect((await notifierError(impatient.send(push()))).reason).toBe('timeout');
      const controller = new AbortController();
      const sending = notifier.send(push(), controller.signal);
      controller.abort();
      expect((await notifierError(sending)).reason).toBe('aborted');
    } finally {
      phone.failWith(undefined);
    }
    const closedPort = await freeTcpPort();
    const offline = createWebhookNotifier({ type: 'webhook', url: `http://127.0.0.1:${closedPort}/push` });
    expect((await notifierError(offline.send(push()))).reason).toBe('network');
  });

  it('ntfy: JSON publish to the server root with approve and deny http actions and a bearer token', async () => {
    const notification = push({ approveUrl: 'https://mfa.example.com/approve/T1', denyUrl: 'https://mfa.example.com/deny/T2' });
    await createNtfyNotifier({ type: 'ntfy', url: `${phone.ntfyUrl}/`, topic: 'mfa-alice', token: 'tk_secret' }).send(notification);
    const received = await phone.nextNtfy();
    expect(received.path).toBe('/ntfy');
    expect(received.headers['authorization']).toBe('Bearer tk_secret');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.message).toMatchObject({
      topic: 'mfa-alice',
      title: expect.stringContaining('vpn'),
      message: expect.stringContaining('alice'),
      click: notification.approveUrl,
      actions: [
        { action: 'http', label: 'Approve', url: notification.approveUrl, method: 'POST', body: '{}' },
        { action: 'http', label: 'Deny', url: notification.denyUrl, method: 'POST', body: '{}' },
      ],
    });
  });

  it('ntfy: with number matching, Approve opens the page (a button cannot ask for the number); the user\'s own topic', async () => {
    const notification = push({ user: 'bob smith' });
    const ntfyTopic = generateNtfyTopic();
    await createNotifier({ type: 'ntfy', url: phone.ntfyUrl }).send(notification, undefined, { numberMatching: true, ntfyTopic });
    const received = await phone.nextNtfy();
    expect(received.headers['authorization']).toBeUndefined();
    expect(received.message['topic']).toBe(ntfyTopic);
    expect(received.message['actions']).toEqual([
      { action: 'view', label: 'Approve', url: notification.approveUrl, clear: true },
      expect.objectContaining({ action: 'http', label: 'Deny', url: notification.denyUrl }),
    ]);
  });

  it('ntfy: a user without a topic of their own gets no push (never a guessable per-user topic)', async () => {
    const before = phone.ntfyMessages.length;
    const error = await notifierError(createNotifier({ type: 'ntfy', url: phone.ntfyUrl }).send(push({ user: 'alice' })));
    expect(error.reason).toBe('no-topic');
    expect(phone.ntfyMessages.length).toBe(before);
    // The operator's fixed topic wins over the user's (and is what `config check` warns about).
    await createNotifier({ type: 'ntfy', url: phone.ntfyUrl, topic: 'shared' }).send(push(), undefined, { ntfyTopic: generateNtfyTopic() });
    expect((await phone.nextNtfy()).message['topic']).toBe('shared');
  });

  it('generateNtfyTopic: 192 random bits, base64url, an ntfy topic name', () => {
    const topics = new Set(Array.from({ length: 50 }, () => generateNtfyTopic()));
    expect(topics.size).toBe(50);
    for (const topic of topics) {
      expect(topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(Buffer.from(topic, 'base64url').length).toBe(24);
    }
    expect(usesPersonalNtfyTopic({ type: 'ntfy', url: 'http://x' })).toBe(true);
    expect(usesPersonalNtfyTopic({ type: 'ntfy', url: 'http://x', topic: 'shared' })).toBe(false);
    expect(usesPersonalNtfyTopic({ type: 'webhook', url: 'http://x' })).toBe(false);
    expect(usesPersonalNtfyTopic(undefined)).toBe(false);
  });
});
