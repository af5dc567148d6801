// The pages in a real browser: Debian's chromium driven by playwright-core.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { approvalUrl } from '@radius-mfa/contracts';
import { base32Decode, generateTotp, otpauthUri } from '@radius-mfa/mfa';
import { ADMIN_TOKEN, createPush } from './harness.js';
import { INGRESS_ID, startRunningSuite, type RunningSuite } from './running.js';

// jsqr is CommonJS with a `default` export: under NodeNext the default import is the module object.
type DecodeQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: DecodeQr }).default ?? jsQRModule) as unknown as DecodeQr;
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/results-api/', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('pages in chromium', () => {
  let suite: RunningSuite;
  let context: BrowserContext;
  let userDataDir: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    suite = await startRunningSuite();
    userDataDir = mkdtempSync(join(tmpdir(), 'results-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
    });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await suite?.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    return page;
  }

  it('approve with the number: the page shows the sign-in, the Accept reaches the ingress', async () => {
    const push = await createPush(suite.asResultsSuite(), { prompt: 'auto', ingressId: INGRESS_ID, numberToMatch: 47, user: 'alice', client: 'rd-gateway', callingStationId: '198.51.100.23' });
    const page = await open(approvalUrl(suite.config.api.publicUrl!, 'approve', push.approveToken));
    expect(await page.textContent('#who')).toBe('alice');
    expect(await page.textContent('#client')).toBe('rd-gateway');
    expect(await page.textContent('#from')).toBe('198.51.100.23');
    expect(await page.textContent('#when')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    await page.screenshot({ path: join(ARTIFACTS, 'approve-before.png'), fullPage: true });
    await page.fill('#number', '47');
    await page.click('#approve');
    await page.waitForSelector('#result.approved');
    expect(await page.textContent('#result')).toContain('Approved');
    await page.screenshot({ path: join(ARTIFACTS, 'approve-after.png'), fullPage: true });
    expect(await suite.deliveryFor(push.txn)).toEqual(push.accept);
    await page.close();
  });

  it('a wrong number denies, and says so', async () => {
    const push = await createPush(suite.asResultsSuite(), { prompt: 'auto', ingressId: INGRESS_ID, numberToMatch: 47 });
    const page = await open(approvalUrl(suite.config.api.publicUrl!, 'approve', push.approveToken));
    await page.fill('#number', '74');
    await page.click('#approve');
    await page.waitForSelector('#result.number-mismatch');
    await page.screenshot({ path: join(ARTIFACTS, 'approve-wrong-number.png'), fullPage: true });
    expect(await suite.deliveryFor(push.txn)).toEqual(push.reject);
    await page.close();
  });

  it('deny', async () => {
    const push = await createPush(suite.asResultsSuite(), { prompt: 'auto', ingressId: INGRESS_ID, numberToMatch: 47, user: 'dora' });
    const page = await open(approvalUrl(suite.config.api.publicUrl!, 'approve', push.approveToken));
    await page.click('#deny');
    await page.waitForSelector('#result.denied');
    await page.screenshot({ path: join(ARTIFACTS, 'deny.png'), fullPage: true });
    expect(await suite.deliveryFor(push.txn)).toEqual(push.reject);
    expect((await suite.asResultsSuite().worker.getChallenge(push.challengeId))?.status).toBe('denied');
    await page.close();
  });

  it("This wasn't me: fraud locks the user", async () => {
    const push = await createPush(suite.asResultsSuite(), { prompt: 'auto', ingressId: INGRESS_ID, user: 'fred' });
    const page = await open(approvalUrl(suite.config.api.publicUrl!, 'approve', push.approveToken));
    expect(await page.$('#number')).toBeNull();
    await page.click('#fraud');
    await page.waitForSelector('#result.fraud');
    await page.screenshot({ path: join(ARTIFACTS, 'fraud.png'), fullPage: true });
    expect(await suite.deliveryFor(push.txn)).toEqual(push.reject);
    expect(await suite.users.getUser('fred')).toMatchObject({ fraudReports: 1, fraudLockedAt: expect.any(Number) });
    await page.close();
  });

  it('enrollment: the QR code decodes to the otpauth URI, and the first code confirms it', async () => {
    const created = await fetch(`${suite.baseUrl}/v1/users/erik/enrollment-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ methods: ['totp'] }),
    });
    expect(created.status).toBe(201);
    const { url } = (await created.json()) as { url: string };
    const page = await open(url);
    await page.click('#show-qr');
    await page.waitForSelector('#qr svg');
    const secret = (await page.textContent('#secret')) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const shot = await page.locator('#qr').screenshot({ path: join(ARTIFACTS, 'enroll-qr.png') });
    const png = PNG.sync.read(shot);
    const decoded = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    const { issuer, digits, period, algorithm } = suite.config.mfa.totp;
    expect(decoded?.data).toBe(otpauthUri({ issuer, digits, period, algorithm, account: 'erik', secret: base32Decode(secret) }));
    await page.screenshot({ path: join(ARTIFACTS, 'enroll-page.png'), fullPage: true });
    expect(await suite.users.getUser('erik')).toMatchObject({ totp: { confirmed: false } });

    await page.fill('#code', generateTotp(base32Decode(secret), { digits, period, algorithm }));
    await page.click('#confirm-code');
    await page.waitForSelector('#result.enrolled');
    await page.screenshot({ path: join(ARTIFACTS, 'enroll-done.png'), fullPage: true });
    expect(await suite.users.getUser('erik')).toMatchObject({ totp: { confirmed: true } });
    expect(await suite.redis.hget(suite.keys.user('erik'), 'totpConfirmed')).toBe('1');
    await page.close();
  });

  it('enrollment for push with ntfy shows the server and the person\'s own topic, as text', async () => {
    const created = await fetch(`${suite.baseUrl}/v1/users/nora/enrollment-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ methods: ['push'] }),
    });
    const { url } = (await created.json()) as { url: string };
    const page = await open(url);
    // This suite's notifier is a webhook: the answer of an ntfy deployment is played here (the
    // route itself is covered by enrollment.test.ts). Markup in it must stay text.
    const topic = 'Zq3_topic-<b id="injected">x</b>';
    await page.route('**/push', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ enrolled: 'push', ntfy: { url: 'https://ntfy.example.test', topic } }) }));
    await page.click('#enroll-push');
    await page.waitForSelector('#ntfy-subscribe:not([hidden])');
    expect(await page.textContent('#ntfy-topic')).toBe(topic);
    expect(await page.textContent('#ntfy-server')).toBe('https://ntfy.example.test');
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.textContent('#result')).toBe('Push approvals are set up.');
    await page.screenshot({ path: join(ARTIFACTS, 'enroll-ntfy.png'), fullPage: true });
    await page.close();
  });

  it('the OpenAPI UI at /docs renders under its CSP', async () => {
    const page = await open(`${suite.baseUrl}/docs`);
    await page.waitForSelector('.opblock-tag', { timeout: 20_000 });
    expect(await page.textContent('body')).toContain('/v1/users/{name}/totp');
    await page.screenshot({ path: join(ARTIFACTS, 'docs.png') });
    await page.close();
  });

  it('the pages ran under the CSP without a single violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
