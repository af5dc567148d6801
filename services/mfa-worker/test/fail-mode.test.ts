// failMode: only an outage of a provider (connection refused, timeout, 5xx, 429) fails open. A
// refusal (no ntfy topic, another 4xx, an invalid number, an unsealable topic) rejects whatever
// the failMode, and a Redis error in our own stores fails the job (retried, then Reject).
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { clientFactory, useWorkerSuite } from './harness.js';

/**
 * A provider stand-in: `/status/NNN` answers NNN, `/hang` never answers; `/sms` answers the status
 * the phone number ends in (+15550503 → 503), as a gateway refusing or failing per recipient.
 */
interface StandIn {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

async function startStandIn(): Promise<StandIn> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      requests.push(path);
      if (path === '/hang') return;
      const phone = path === '/sms' ? String((JSON.parse(Buffer.concat(chunks).toString() || '{}') as { phone?: string }).phone) : '';
      const status = path === '/sms' ? Number(phone.slice(-3)) : Number(path.split('/')[2] ?? 200);
      response.writeHead(status).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('failMode: only an outage of the provider fails open', () => {
  let standIn: StandIn;
  let deadUrl: string;
  const suite = useWorkerSuite({
    sections: async () => {
      standIn = await startStandIn();
      deadUrl = `http://127.0.0.1:${await freeTcpPort()}/push`;
      const client = clientFactory({ firstFactor: 'none', prompt: 'challenge', methods: ['push'] });
      return {
        clients: [client('open', { failMode: 'open' }), client('closed', { failMode: 'closed' }), client('sms-open', { failMode: 'open', methods: ['sms'] })],
        mfa: {
          push: { notifier: { type: 'webhook', url: `${standIn.url}/status/200` }, limits: { perMinute: 100, perHour: 1000 } },
          sms: { sender: { type: 'webhook', url: `${standIn.url}/sms` } },
        },
      };
    },
  });
  afterAll(async () => {
    await standIn?.close();
  });

  /** Enrolls `user` for push with pushes going to `url` (the admin's per-user override). */
  const pushTo = (user: string, url: string) => suite.users.enrollPush(user, { notifier: { type: 'webhook', url, timeoutSeconds: 1 } });
  const lastReason = async (): Promise<string | undefined> => (await suite.auditReasons()).at(-1);
  const lastOutcome = async (): Promise<string | undefined> => (await suite.auditOutcomes()).at(-1);

  describe('a true outage: open accepts (audited fail-open), closed rejects', () => {
    it.each([
      ['connection refused', () => deadUrl],
      ['503', () => `${standIn.url}/status/503`],
      ['429', () => `${standIn.url}/status/429`],
      ['a timeout', () => `${standIn.url}/hang`],
    ])('%s', async (label, url) => {
      const user = `down-${label.replace(/\W/g, '')}`;
      await pushTo(user, url());
      const open = await suite.ingress.authenticate({ user, password: '', clientName: 'open' });
      expect(open.code).toBe(Code.AccessAccept);
      expect(await lastOutcome()).toBe('fail-open');
      expect(await lastReason()).toBe('push-notifier-unreachable');
      const closed = await suite.ingress.authenticate({ user, password: '', clientName: 'closed' });
      expect(closed.code).toBe(Code.AccessReject);
      expect(closed.replyMessage).toMatch(/unavailable/);
      expect(await lastReason()).toBe('push-notifier-unreachable');
    });
  });

  it('ntfy, user enrolled for push without a topic: Reject with failMode open (no-topic is not an outage)', async () => {
    await suite.users.enrollPush('notopic', { notifier: { type: 'ntfy', url: `${standIn.url}/status/200` } });
    const result = await suite.ingress.authenticate({ user: 'notopic', password: '', clientName: 'open' });
    expect(result.code).toBe(Code.AccessReject);
    expect(result.replyMessage).toMatch(/help desk/);
    expect(await lastOutcome()).toBe('reject');
    expect(await lastReason()).toBe('push-notifier-refused: no-topic');
  });

  it('a relay answering 404 for an unknown user: Reject with failMode open', async () => {
    await pushTo('unknown-to-relay', `${standIn.url}/status/404`);
    const result = await suite.ingress.authenticate({ user: 'unknown-to-relay', password: '', clientName: 'open' });
    expect(result.code).toBe(Code.AccessReject);
    expect(await lastReason()).toBe('push-notifier-refused: http-404');
  });

  it('a topic that no longer unseals (sealing key rotated away): Reject with failMode open', async () => {
    await suite.users.enrollPush('rotated', { notifier: { type: 'ntfy', url: `${standIn.url}/status/200` }, ntfyTopic: true });
    // Sealed under a key this deployment no longer has: as after a sealing-key rotation without re-sealing.
    await suite.commands.hset(suite.ingress.keys.user('rotated'), 'pushNtfyTopic', Buffer.from('not a sealed topic at all, just bytes').toString('base64'));
    const result = await suite.ingress.authenticate({ user: 'rotated', password: '', clientName: 'open' });
    expect(result.code).toBe(Code.AccessReject);
    expect(await lastReason()).toBe('push-notifier-refused: unsealable');
  });

  it('SMS: a gateway refusing a malformed number rejects with failMode open; the same gateway down fails open', async () => {
    await suite.users.setPhone('badnumber', '+15550400');
    const refused = await suite.ingress.authenticate({ user: 'badnumber', password: '', clientName: 'sms-open' });
    expect(refused.code).toBe(Code.AccessReject);
    expect(await lastReason()).toBe('sms-sender-refused: http-400');
    await suite.users.setPhone('gatewaydown', '+15550503');
    const down = await suite.ingress.authenticate({ user: 'gatewaydown', password: '', clientName: 'sms-open' });
    expect(down.code).toBe(Code.AccessAccept);
    expect(await lastReason()).toBe('sms-sender-unreachable');
  });

  it('a Redis error in our own user store: no fail-open; the job is retried and its last attempt answers Reject', async () => {
    // A user key of the wrong type makes every read of it fail (WRONGTYPE), as a Redis fault would.
    await suite.commands.set(suite.ingress.keys.user('broken'), 'not a hash');
    const result = await suite.ingress.authenticate({ user: 'broken', password: '', clientName: 'open' });
    expect(result.code).toBe(Code.AccessReject);
    expect(await lastOutcome()).toBe('reject');
    expect(await lastReason()).toMatch(/^internal-error: .*WRONGTYPE/);
  });
});
