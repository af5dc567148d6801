import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePhone, type FakePhone } from '@radius-mfa/testing';
import {
  createCodeSender,
  createWebhookSender,
  SenderError,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  signedWebhookHeaders,
  signWebhookBody,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  type CodeSender,
} from '@radius-mfa/mfa';

describe('code senders', () => {
  let phone: FakePhone;
  beforeAll(async () => {
    phone = await startFakePhone({ signingSecret: 'sms-secret' });
  });
  afterAll(async () => {
    await phone?.close();
  });

  it('webhook: posts the signed code for SMS and voice', async () => {
    const sender = createCodeSender({ type: 'webhook', url: phone.codeUrl, signingSecret: 'sms-secret' });
    await sender.sendCode({ user: 'alice', phone: '+15550100' }, '123456', 'sms');
    expect(await phone.nextCode()).toMatchObject({ user: 'alice', phone: '+15550100', channel: 'sms', code: '123456' });
    await sender.sendCode({ user: 'bob' }, '654321', 'voice');
    const voice = await phone.nextCode();
    expect(voice).toMatchObject({ user: 'bob', phone: null, channel: 'voice', code: '654321' });
    expect(voice.headers['x-radius-mfa-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('webhook: a refused delivery is a typed SenderError', async () => {
    const sender = createWebhookSender({ type: 'webhook', url: phone.codeUrl, signingSecret: 'not-it' });
    const error: unknown = await sender.sendCode({ user: 'alice' }, '1', 'sms').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SenderError);
    expect(error).toMatchObject({ reason: 'http-status', status: 401 });
  });

  it('webhook: an independent receiver whose clock is past the tolerance refuses it (a replay)', async () => {
    const late = await startFakePhone({ signingSecret: 'sms-secret', now: () => Date.now() + (SIGNATURE_TOLERANCE_SECONDS + 60) * 1000 });
    try {
      const sender = createWebhookSender({ type: 'webhook', url: late.codeUrl, signingSecret: 'sms-secret' });
      const error: unknown = await sender.sendCode({ user: 'alice' }, '1', 'sms').catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'http-status', status: 401 });
      expect(late.rejected).toMatchObject([{ path: '/code', reason: 'bad-signature' }]);
    } finally {
      await late.close();
    }
  });

  it('acs comes from the Entra integration, or fails as configuration', () => {
    expect(() => createCodeSender({ type: 'acs', from: '+15550199' })).toThrow(SenderError);
    const acs: CodeSender = { sendCode: async () => undefined };
    expect(createCodeSender({ type: 'acs', from: '+15550199' }, { acs: () => acs })).toBe(acs);
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"a":1}';
  const at = 1_800_000_000;
  const signed = (signature: string | readonly string[] | undefined, timestamp: string | undefined = String(at), nowSeconds = at) => ({
    signature,
    timestamp,
    nowSeconds,
  });

  it('accepts exactly the signature of this timestamp and these bytes under this secret', () => {
    const header = signWebhookBody(body, 's', at);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    // The documented algorithm, spelled out independently: HMAC-SHA256 over "<timestamp>.<body>".
    expect(header).toBe(`sha256=${createHmac('sha256', 's').update(`${at}.${body}`).digest('hex')}`);
    expect(verifyWebhookSignature(body, signed(header), 's')).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(body), signed(header), 's')).toBe(true);
    expect(verifyWebhookSignature('{"a":2}', signed(header), 's')).toBe(false);
    expect(verifyWebhookSignature(body, signed(header), 't')).toBe(false);
    expect(verifyWebhookSignature(body, signed(header.toUpperCase()), 's')).toBe(false);
    expect(verifyWebhookSignature(body, signed(undefined), 's')).toBe(false);
    expect(verifyWebhookSignature(body, signed([header]), 's')).toBe(false);
    expect(verifyWebhookSignature(body, signed('sha256='), 's')).toBe(false);
  });

  it('binds the timestamp: the same signature under another timestamp is refused', () => {
    const header = signWebhookBody(body, 's', at);
    expect(verifyWebhookSignature(body, signed(header, String(at + 1), at + 1), 's')).toBe(false);
    expect(verifyWebhookSignature(body, { signature: header, timestamp: undefined, nowSeconds: at }, 's')).toBe(false);
    expect(verifyWebhookSignature(body, signed(header, `${at}.5`), 's')).toBe(false);
    // The body alone (the old, replayable scheme) is not accepted.
    const bodyOnly = `sha256=${createHmac('sha256', 's').update(body).digest('hex')}`;
    expect(verifyWebhookSignature(body, signed(bodyOnly), 's')).toBe(false);
  });

  it('refuses a correctly signed request replayed outside the tolerance (300 s by default)', () => {
    const header = signWebhookBody(body, 's', at);
    expect(SIGNATURE_TOLERANCE_SECONDS).toBe(300);
    expect(verifyWebhookSignature(body, signed(header, String(at), at + 300), 's')).toBe(true);
    expect(verifyWebhookSignature(body, signed(header, String(at), at - 300), 's')).toBe(true);
    expect(verifyWebhookSignature(body, signed(header, String(at), at + 301), 's')).toBe(false);
    expect(verifyWebhookSignature(body, signed(header, String(at), at - 301), 's')).toBe(false);
    expect(verifyWebhookSignature(body, { ...signed(header, String(at), at + 301), toleranceSeconds: 600 }, 's')).toBe(true);
  });

  it('signedWebhookHeaders carries the timestamp it signed', () => {
    const headers = signedWebhookHeaders(body, 's', at);
    expect(headers).toEqual({ [TIMESTAMP_HEADER]: String(at), [SIGNATURE_HEADER]: signWebhookBody(body, 's', at) });
  });
});
