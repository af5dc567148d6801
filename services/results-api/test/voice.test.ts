// Voice approval callbacks: ACS Call Automation played by the Entra stand-in, which places the
// call, "presses" a key and POSTs its events to the results-api's signed callback URL.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcsVoiceApprover, createEntraConnection, type EntraConnection } from '@radius-mfa/directory';
import { startEntraStandin, type EntraStandin } from '@radius-mfa/testing';
import { voiceCallbackBaseUrl } from '@radius-mfa/results-api';
import { createPush, useResultsSuite, voiceConfigYaml } from './harness.js';
import { INGRESS_ID, startRunningSuite, type RunningSuite } from './running.js';

const CALLEE = { upn: 'alice@contoso.example', phone: '+12065550101' };

describe('voice approval callbacks against the ACS stand-in', () => {
  let standin: EntraStandin;
  let connection: EntraConnection;
  let approver: AcsVoiceApprover;
  let suite: RunningSuite;

  beforeAll(async () => {
    standin = await startEntraStandin();
    const cert = standin.pki.issue('radius-mfa-app');
    const clientId = randomUUID();
    standin.addApp({ clientId, certificates: [cert.cert], graphPermissions: ['User.Read.All', 'UserAuthenticationMethod.Read.All'], acsAccess: true });
    standin.addUser({ id: randomUUID(), userPrincipalName: CALLEE.upn, accountEnabled: true, phones: [{ phoneType: 'mobile', phoneNumber: CALLEE.phone }] });
    connection = createEntraConnection({
      tenantId: standin.tenantId,
      clientId,
      clientCertificate: { key: cert.keyFile, cert: cert.certFile },
      authorityHost: standin.authorityHost,
      graphEndpoint: standin.graphEndpoint,
      acsEndpoint: standin.acsEndpoint,
      caCertificates: standin.caPem,
    });
    const yaml = voiceConfigYaml(standin);
    suite = await startRunningSuite({
      extra: yaml.top,
      mfaExtra: yaml.mfa,
      voice: (publicUrl) => {
        approver = new AcsVoiceApprover(connection, {
          callbackBaseUrl: voiceCallbackBaseUrl(publicUrl),
          callbackSecret: randomBytes(32),
          from: '+18005550100',
          cognitiveServicesEndpoint: 'https://speech.example.invalid',
        });
        return approver;
      },
    });
  }, 60_000);
  afterAll(async () => {
    await suite?.stop();
    connection?.close();
    await standin?.close();
  });

  async function voiceChallenge(user = 'alice') {
    return createPush(suite.asResultsSuite(), { method: 'voice', prompt: 'auto', ingressId: INGRESS_ID, user });
  }

  it('# approves: the held request gets its Accept, and the call is hung up', async () => {
    const challenge = await voiceChallenge();
    expect(approver.callbackUrl(challenge.challengeId)).toContain(`${suite.baseUrl}/v1/voice/callback/${challenge.challengeId}?sig=`);
    const { callConnectionId } = await approver.startCall(challenge.challengeId, { user: CALLEE.upn, phone: CALLEE.phone });
    expect(await suite.deliveryFor(challenge.txn)).toEqual(challenge.accept);
    expect(await suite.asResultsSuite().worker.getChallenge(challenge.challengeId)).toMatchObject({ status: 'approved', method: 'voice' });
    await expect.poll(() => standin.calls.get(callConnectionId)?.terminated, { timeout: 10_000 }).toBe(true);
    const exposition = await suite.handle.context.registry.metrics();
    expect(exposition).toMatch(/mfa_challenges_total\{method="voice",outcome="approved"\} 1/);
  });

  it('another key denies; no answer denies too', async () => {
    standin.callAnswers.set('+12065550112', { tone: 'one' });
    const pressedOne = await voiceChallenge('bea');
    await approver.startCall(pressedOne.challengeId, { user: 'bea', phone: '+12065550112' });
    expect(await suite.deliveryFor(pressedOne.txn)).toEqual(pressedOne.reject);
    expect(await suite.asResultsSuite().worker.getChallenge(pressedOne.challengeId)).toMatchObject({ status: 'denied' });

    standin.callAnswers.set('+12065550114', 'no-answer');
    const unanswered = await voiceChallenge('cy');
    await approver.startCall(unanswered.challengeId, { user: 'cy', phone: '+12065550114' });
    expect(await suite.deliveryFor(unanswered.txn)).toEqual(unanswered.reject);
  });

  it('a forged signature is 401 and changes nothing', async () => {
    const challenge = await voiceChallenge();
    const forged = new URL(approver.callbackUrl(challenge.challengeId));
    forged.searchParams.set('sig', approver.callbackUrl(randomBytes(16).toString('hex')).split('sig=')[1]!);
    const events = [{ type: 'Microsoft.Communication.RecognizeCompleted', data: { callConnectionId: 'forged', dtmfResult: { tones: ['pound'] } } }];
    const response = await fetch(forged, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(response.status).toBe(401);
    expect((await suite.asResultsSuite().worker.getChallenge(challenge.challengeId))?.status).toBe('pending');
    expect(suite.logs.text).not.toContain(forged.searchParams.get('sig'));
  });

  it('a correctly signed callback cannot decide a push challenge', async () => {
    const push = await createPush(suite.asResultsSuite(), { method: 'push', prompt: 'challenge' });
    const events = [{ type: 'Microsoft.Communication.CallDisconnected', data: { callConnectionId: 'c1' } }];
    const response = await fetch(approver.callbackUrl(push.challengeId), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(response.status).toBe(404);
    expect((await suite.asResultsSuite().worker.getChallenge(push.challengeId))?.status).toBe('pending');
  });
});

describe('voice callback route only where voice is configured', () => {
  const configured = useResultsSuite({ extra: voiceConfigYaml().top, mfaExtra: voiceConfigYaml().mfa });
  const unconfigured = useResultsSuite();
  const handler = { handleEvents: async () => 'approved' as const };
  const url = `/v1/voice/callback/${'ab'.repeat(16)}?sig=x`;

  it('is absent without mfa.voice on acs, even with an approver', async () => {
    const app = await unconfigured.newApp({ voice: handler, rateLimitInMemory: true });
    expect((await app.inject({ method: 'POST', url, payload: [] })).statusCode).toBe(404);
  });

  it('is absent without an approver, present with one', async () => {
    const without = await configured.newApp({ rateLimitInMemory: true });
    expect((await without.inject({ method: 'POST', url, payload: [] })).statusCode).toBe(404);
    const withApprover = await configured.newApp({ voice: { handleEvents: async () => 'pending' as const }, rateLimitInMemory: true });
    const response = await withApprover.inject({ method: 'POST', url, payload: [] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ outcome: 'pending' });
  });
});
