// The demo's push receiver takes what the product's webhook notifier sends, signed, and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifierError, createWebhookNotifier, type PushNotification } from '@radius-mfa/mfa';
import { startDemoPushReceiver, type DemoPushReceiver } from '../src/demo-push-receiver.js';

const push: PushNotification = {
  challengeId: 'c1',
  user: 'demo-push',
  client: 'demo',
  callingStationId: '',
  approveUrl: 'http://127.0.0.1:8080/v1/approve/aaaaaaaaaaaaaaaaaaaaaaaa',
  denyUrl: 'http://127.0.0.1:8080/v1/deny/bbbbbbbbbbbbbbbbbbbbbbbb',
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
};
const received: PushNotification[] = [];
let receiver: DemoPushReceiver;

beforeAll(async () => {
  receiver = await startDemoPushReceiver((p) => received.push(p));
});
afterAll(async () => {
  await receiver.close();
});

describe('demo push receiver', () => {
  it('hands on a push the webhook notifier signed with the configured secret', async () => {
    await createWebhookNotifier({ type: 'webhook', url: receiver.url, signingSecret: receiver.signingSecret }).send(push);
    expect(received).toEqual([push]);
  });

  it('refuses a push signed with another secret, or not signed, and hands on nothing', async () => {
    received.length = 0;
    const forged = createWebhookNotifier({ type: 'webhook', url: receiver.url, signingSecret: 'not-the-demo-secret-at-all' }).send(push);
    await expect(forged).rejects.toBeInstanceOf(NotifierError);
    await expect(forged).rejects.toMatchObject({ reason: 'http-status', status: 401 });
    const unsigned = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(push) });
    expect(unsigned.status).toBe(401);
    expect(received).toEqual([]);
  });
});
