import { randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraStandin, type EntraStandin, type TestCertificate } from '@radius-mfa/testing';
import {
  AcsSmsSender,
  AcsVoiceApprover,
  EntraError,
  EntraFirstFactorProvider,
  createEntraConnection,
  diagnoseEntra,
  evaluateEntraPolicy,
  type EntraConnection,
  type EntraLogger,
  type EntraOptions,
  type VoiceApprovalOutcome,
} from '@radius-mfa/directory';

// msal-node runs unmodified against a local HTTPS stand-in; trust comes from the pinned CA
// given to the connection (msal's networkClient), not from NODE_EXTRA_CA_CERTS.
let standin: EntraStandin;
let clientCert: TestCertificate;
let unregisteredCert: TestCertificate;
const connections: EntraConnection[] = [];

const CERT_APP = randomUUID();
const SECRET_APP = randomUUID();
const NO_PERMISSION_APP = randomUUID();
const SECRET = `test-secret-${randomUUID()}`;
const BYPASS_GROUP = randomUUID();
const VPN_GROUP = randomUUID();
const ALICE = { id: randomUUID(), upn: 'alice@contoso.example', password: 'Correct horse 1!' };

function recordingLogger(): EntraLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_d, message) => lines.push(message), error: (_d, message) => lines.push(message) };
}

function connect(overrides: Partial<EntraOptions> = {}): EntraConnection {
  const connection = createEntraConnection({
    tenantId: standin.tenantId,
    clientId: CERT_APP,
    clientCertificate: { key: clientCert.keyFile, cert: clientCert.certFile },
    authorityHost: standin.authorityHost,
    graphEndpoint: standin.graphEndpoint,
    acsEndpoint: standin.acsEndpoint,
    smsFrom: '+18005550100',
    caCertificates: standin.caPem,
    ...overrides,
  });
  connections.push(connection);
  return connection;
}

async function rejection(promise: Promise<unknown>): Promise<EntraError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EntraError);
  return error as EntraError;
}

const signal = (): AbortSignal => AbortSignal.timeout(20_000);

beforeAll(async () => {
  standin = await startEntraStandin();
  clientCert = standin.pki.issue('radius-mfa-app');
  unregisteredCert = standin.pki.issue('someone-else');
  const allPermissions = ['User.Read.All', 'GroupMember.Read.All', 'UserAuthenticationMethod.Read.All'];
  standin.addApp({ clientId: CERT_APP, certificates: [clientCert.cert], graphPermissions: allPermissions, acsAccess: true });
  standin.addApp({ clientId: SECRET_APP, secret: SECRET, graphPermissions: allPermissions });
  standin.addApp({ clientId: NO_PERMISSION_APP, secret: SECRET, graphPermissions: [] });
  standin.addUser({
    id: ALICE.id,
    userPrincipalName: ALICE.upn,
    mail: 'alice.smith@contoso.example',
    onPremisesSamAccountName: 'asmith',
    accountEnabled: true,
    password: ALICE.password,
    groups: [VPN_GROUP],
    phones: [{ phoneType: 'mobile', phoneNumber: '+1 2065550101' }, { phoneType: 'office', phoneNumber: '+1 2065550199' }],
  });
  standin.addUser({ id: randomUUID(), userPrincipalName: 'bob@contoso.example', accountEnabled: false, password: 'Bob password 1!', groups: [VPN_GROUP] });
  standin.addUser({ id: randomUUID(), userPrincipalName: 'carol@contoso.example', accountEnabled: true, password: 'Carol password 1!', groups: [BYPASS_GROUP, VPN_GROUP] });
  standin.addUser({ id: randomUUID(), userPrincipalName: 'dave@contoso.example', accountEnabled: true, password: 'Dave password 1!', ropcError: 50076 });
  standin.addUser({ id: randomUUID(), userPrincipalName: 'erin@contoso.example', accountEnabled: true, password: 'Erin password 1!', ropcError: 53003 });
  standin.addUser({ id: randomUUID(), userPrincipalName: 'frank@contoso.example', accountEnabled: true });
  standin.addUser({ id: randomUUID(), userPrincipalName: 'grace@contoso.example', accountEnabled: true, password: 'Grace password 1!', ropcError: 65001 });
  for (let i = 0; i < 25; i += 1) standin.addUser({ id: randomUUID(), userPrincipalName: `filler${i}@contoso.example`, accountEnabled: true });
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await standin?.close();
});

describe('token provider', () => {
  it('gets a Graph token with a certificate credential (SHA-256 thumbprint) and caches it', async () => {
    const connection = connect();
    const before = standin.counters.tokens.client_credentials;
    const first = await connection.tokens.graphToken();
    const second = await connection.tokens.graphToken();
    const [third, fourth] = await Promise.all([connection.tokens.graphToken(), connection.tokens.graphToken()]);
    expect(first.length).toBeGreaterThan(10);
    expect([second, third, fourth]).toEqual([first, first, first]);
    expect(standin.counters.tokens.client_credentials - before).toBe(1);
  });

  it('gets a token with a client secret, and separate ones for Graph and ACS', async () => {
    const connection = connect({ clientId: SECRET_APP, clientCertificate: undefined, clientSecret: SECRET });
    const graph = await connection.tokens.graphToken();
    const acs = await connection.tokens.acsToken();
    expect(graph).not.toBe(acs);
  });

  it('renews a token that is near expiry instead of serving it', async () => {
    standin.tokenLifetimeSeconds = 60;
    try {
      const connection = connect();
      const before = standin.counters.tokens.client_credentials;
      const first = await connection.tokens.graphToken();
      const second = await connection.tokens.graphToken();
      expect(second).not.toBe(first);
      expect(standin.counters.tokens.client_credentials - before).toBe(2);
    } finally {
      standin.tokenLifetimeSeconds = 3599;
    }
  });

  it('names an unknown app (AADSTS700016)', async () => {
    const error = await rejection(connect({ clientId: randomUUID() }).tokens.graphToken());
    expect(error.code).toBe('unknown-app');
    expect(error.aadsts).toBe(700016);
  });

  it('names a bad secret (AADSTS7000215)', async () => {
    const error = await rejection(connect({ clientId: SECRET_APP, clientCertificate: undefined, clientSecret: 'wrong' }).tokens.graphToken());
    expect(error.code).toBe('bad-secret');
    expect(error.message).toContain('Value, not its Secret ID');
  });

  it('refuses an expired certificate before asking Entra, with its date', () => {
    const expired = standin.pki.issue('expired-app', { expired: true });
    let caught: unknown;
    try {
      connect({ clientCertificate: { key: expired.key, cert: expired.cert } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EntraError);
    expect((caught as EntraError).code).toBe('certificate-expired');
    expect((caught as EntraError).message).toContain('2020-01-02');
  });

  it('names a certificate Entra considers expired (AADSTS700027)', async () => {
    // Entra's clock is past the certificate's end (2 days) while this machine's is not.
    standin.clockOffsetSeconds = 3 * 86_400;
    try {
      const error = await rejection(connect().tokens.graphToken());
      expect(error.code).toBe('certificate-expired');
      expect(error.aadsts).toBe(700027);
    } finally {
      standin.clockOffsetSeconds = 0;
    }
  });

  it('names a certificate that is not registered on the app', async () => {
    const error = await rejection(connect({ clientCertificate: { key: unregisteredCert.key, cert: unregisteredCert.cert } }).tokens.graphToken());
    expect(error.code).toBe('certificate-rejected');
  });

  it('names clock skew (AADSTS700024)', async () => {
    standin.clockOffsetSeconds = -3600;
    try {
      const error = await rejection(connect().tokens.graphToken());
      expect(error.code).toBe('clock-skew');
      expect(error.message).toContain('NTP');
    } finally {
      standin.clockOffsetSeconds = 0;
    }
  });

  it('refuses a stand-in whose CA is not trusted', async () => {
    const error = await rejection(connect({ caCertificates: standin.pki.issue('not-a-ca').cert }).tokens.graphToken());
    expect(error.isOutage).toBe(true);
  });
});

describe('directory through Graph', () => {
  it('resolves a user by UPN, mail and DOMAIN\\sAMAccountName, with phones', async () => {
    const { directory } = connect();
    const byUpn = await directory.resolveUser('Alice@Contoso.example', signal());
    expect(byUpn).toEqual({ id: ALICE.id, upn: ALICE.upn, enabled: true, phones: { mobile: '+1 2065550101', office: '+1 2065550199' } });
    expect((await directory.resolveUser('alice.smith@contoso.example', signal()))?.id).toBe(ALICE.id);
    expect((await directory.resolveUser('CONTOSO\\asmith', signal()))?.id).toBe(ALICE.id);
    expect(await directory.resolveUser('nobody@contoso.example', signal())).toBeUndefined();
  });

  it('matches only the alternate login id attribute when one is set', async () => {
    const { directory } = connect({ alternateLoginId: 'mail' });
    expect((await directory.resolveUser('alice.smith@contoso.example', signal()))?.id).toBe(ALICE.id);
    expect(await directory.resolveUser(ALICE.upn, signal())).toBeUndefined();
  });

  it('escapes quotes in the OData filter', async () => {
    const { directory } = connect();
    expect(await directory.resolveUser("o'brien@contoso.example' or userPrincipalName eq 'alice@contoso.example", signal())).toBeUndefined();
  });

  it('caches answers for a short time', async () => {
    const { directory } = connect();
    await directory.resolveUser(ALICE.upn, signal());
    const before = standin.counters.graph;
    await directory.resolveUser(ALICE.upn, signal());
    expect(standin.counters.graph).toBe(before);
  });

  it('reports a disabled user as disabled', async () => {
    const user = await connect().directory.resolveUser('bob@contoso.example', signal());
    expect(user?.enabled).toBe(false);
  });

  it('checks membership transitively among more than 20 groups', async () => {
    const { directory } = connect();
    const many = [...Array.from({ length: 30 }, () => randomUUID()), VPN_GROUP];
    expect(await directory.isMemberOfAny(ALICE.id, many, signal())).toBe(true);
    expect(await directory.isMemberOfAny(ALICE.id, [BYPASS_GROUP], signal())).toBe(false);
  });

  it('names the missing Graph permission', async () => {
    const error = await rejection(connect({ clientId: NO_PERMISSION_APP, clientCertificate: undefined, clientSecret: SECRET }).directory.resolveUser(ALICE.upn, signal()));
    expect(error.code).toBe('permission-missing');
    expect(error.message).toContain('User.Read.All');
  });

  it('waits out a short 429 Retry-After once', async () => {
    const { directory } = connect();
    await directory.resolveUser('frank@contoso.example', signal()); // token and warm-up
    directory.clear();
    standin.throttleGraph(1, 1);
    expect((await directory.resolveUser('frank@contoso.example', signal()))?.upn).toBe('frank@contoso.example');
  });

  it('fails fast as throttled during a long Retry-After, without calling Graph', async () => {
    const { directory } = connect();
    await directory.resolveUser('frank@contoso.example', signal());
    directory.clear();
    standin.throttleGraph(1, 120);
    const first = await rejection(directory.resolveUser('frank@contoso.example', signal()));
    expect(first.code).toBe('throttled');
    expect(first.retryAfterSeconds).toBe(120);
    const before = standin.counters.graph;
    expect((await rejection(directory.resolveUser(ALICE.upn, signal()))).code).toBe('throttled');
    expect(standin.counters.graph).toBe(before);
  });
});

describe('policy', () => {
  it('lets a bypass group skip the second factor and sends others to it', async () => {
    const { directory } = connect();
    const policy = { failMode: 'closed' as const, bypassGroupIds: [BYPASS_GROUP], requiredGroupIds: [VPN_GROUP] };
    expect((await evaluateEntraPolicy(directory, 'carol@contoso.example', policy, signal())).decision).toBe('bypass');
    expect((await evaluateEntraPolicy(directory, ALICE.upn, policy, signal())).decision).toBe('second-factor');
    expect(await evaluateEntraPolicy(directory, 'frank@contoso.example', policy, signal())).toEqual({ decision: 'reject', reason: 'not in a required group' });
    expect(await evaluateEntraPolicy(directory, 'bob@contoso.example', policy, signal())).toEqual({ decision: 'reject', reason: 'Entra account disabled' });
  });

  it('applies failMode when Graph is down: open lets through, closed rejects', async () => {
    const { directory } = connect();
    standin.graphDown = true;
    try {
      expect((await evaluateEntraPolicy(directory, ALICE.upn, { failMode: 'open' }, signal())).decision).toBe('allow-unverified');
      expect((await evaluateEntraPolicy(directory, ALICE.upn, { failMode: 'closed' }, signal())).decision).toBe('reject');
    } finally {
      standin.graphDown = false;
    }
  });

  it('fails closed on a missing permission even with failMode open', async () => {
    const { directory } = connect({ clientId: NO_PERMISSION_APP, clientCertificate: undefined, clientSecret: SECRET });
    expect((await evaluateEntraPolicy(directory, ALICE.upn, { failMode: 'open' }, signal())).decision).toBe('reject');
  });
});

describe('firstFactor: entra (ROPC)', () => {
  const pap = (user: string, password: string) => ({ user, password: Buffer.from(password, 'utf8') });
  const context = () => ({ signal: signal() });

  it('is off unless configured', () => {
    expect(() => new EntraFirstFactorProvider(connect())).toThrow(/ropc: true/);
  });

  it('accepts the right password with the policy groups, rejects a wrong one', async () => {
    const connection = connect({ ropc: true, policyGroupIds: [VPN_GROUP, BYPASS_GROUP] });
    const provider = new EntraFirstFactorProvider(connection);
    expect(await provider.authenticate(pap('CONTOSO\\asmith', ALICE.password), context())).toEqual({ outcome: 'accept', groups: [VPN_GROUP], replyAttributes: [] });
    // No user's tokens stay behind in msal's cache.
    expect(await connection.tokens.app.getTokenCache().getAllAccounts()).toEqual([]);
    expect(await provider.authenticate(pap(ALICE.upn, 'wrong'), context())).toEqual({ outcome: 'reject', reason: 'invalid username or password' });
    expect((await provider.groupsOf('carol@contoso.example', signal())).sort()).toEqual([BYPASS_GROUP, VPN_GROUP].sort());
  });

  it('never reads MFA-required or Conditional Access refusals as a correct password', async () => {
    const provider = new EntraFirstFactorProvider(connect({ ropc: true }));
    const dave = await provider.authenticate(pap('dave@contoso.example', 'Dave password 1!'), context());
    const erin = await provider.authenticate(pap('erin@contoso.example', 'Erin password 1!'), context());
    expect(dave.outcome).toBe('reject');
    expect(dave.outcome === 'reject' && dave.reason).toContain('50076');
    expect(erin.outcome).toBe('reject');
    expect(erin.outcome === 'reject' && erin.reason).toContain('53003');
  });

  it('rejects a disabled user, a federated user and a non-PAP request', async () => {
    const provider = new EntraFirstFactorProvider(connect({ ropc: true }));
    expect(await provider.authenticate(pap('bob@contoso.example', 'Bob password 1!'), context())).toEqual({ outcome: 'reject', reason: 'Entra account disabled (accountEnabled false)' });
    expect((await provider.authenticate(pap('frank@contoso.example', 'anything'), context())).outcome).toBe('reject');
    expect((await provider.authenticate({ user: ALICE.upn }, context())).outcome).toBe('reject');
  });

  it('rejects, whatever the failMode, when the app itself is misconfigured', async () => {
    const logger = recordingLogger();
    const badSecret = new EntraFirstFactorProvider(connect({ ropc: true, clientId: SECRET_APP, clientCertificate: undefined, clientSecret: 'wrong', readPhoneMethods: false }), { logger });
    // The Graph lookup fails first, on the same bad secret.
    const result = await badSecret.authenticate(pap(ALICE.upn, ALICE.password), context());
    expect(result.outcome).toBe('reject');
    expect(result.outcome === 'reject' && result.reason).toContain('AADSTS7000215');
    const consent = await new EntraFirstFactorProvider(connect({ ropc: true }), { logger }).authenticate(pap('grace@contoso.example', 'Grace password 1!'), context());
    expect(consent.outcome === 'reject' && consent.reason).toContain('admin consent');
    expect(logger.lines.some((line) => line.includes('misconfigured'))).toBe(true);
    const noPermission = new EntraFirstFactorProvider(connect({ ropc: true, clientId: NO_PERMISSION_APP, clientCertificate: undefined, clientSecret: SECRET }), { logger });
    const denied = await noPermission.authenticate(pap(ALICE.upn, ALICE.password), context());
    expect(denied.outcome === 'reject' && denied.reason).toContain('User.Read.All');
  });

  it('is unavailable when Graph is down', async () => {
    const provider = new EntraFirstFactorProvider(connect({ ropc: true }));
    standin.graphDown = true;
    try {
      expect((await provider.authenticate(pap(ALICE.upn, ALICE.password), context())).outcome).toBe('unavailable');
    } finally {
      standin.graphDown = false;
    }
  });

  it("surfaces msal's user-blind throttle after a 429 as an outage, and tells the operator", async () => {
    const logger = recordingLogger();
    const provider = new EntraFirstFactorProvider(connect({ ropc: true, cacheTtlSeconds: 600 }), { logger });
    // Resolve both users first, so only the token endpoint is under test.
    expect((await provider.groupsOf('carol@contoso.example', signal())).sort()).toEqual([BYPASS_GROUP, VPN_GROUP].sort());
    await provider.groupsOf(ALICE.upn, signal());
    standin.tokenFailureStatus = 429;
    standin.tokenRetryAfterSeconds = 300;
    try {
      expect((await provider.authenticate(pap(ALICE.upn, ALICE.password), context())).outcome).toBe('unavailable');
    } finally {
      standin.tokenFailureStatus = undefined;
    }
    // Entra is fine again, but msal holds every user back: unavailable, without a request.
    const before = standin.counters.tokens.password;
    expect((await provider.authenticate(pap('carol@contoso.example', 'Carol password 1!'), context())).outcome).toBe('unavailable');
    expect(standin.counters.tokens.password).toBe(before);
    expect(logger.lines.some((line) => line.includes('held back by msal') && line.includes('failMode'))).toBe(true);
  });
});

describe('SMS codes through ACS', () => {
  it("delivers a code to the user's Entra mobile number, and the code received is accepted", async () => {
    const sender = new AcsSmsSender(connect());
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await sender.sendCode({ user: ALICE.upn }, code, 'sms', signal());
    const sms = standin.smsOutbox.at(-1);
    expect(sms?.to).toBe('+12065550101');
    expect(sms?.from).toBe('+18005550100');
    const received = /(\d{6})/.exec(sms?.message ?? '')?.[1] ?? '';
    expect(received.length === code.length && timingSafeEqual(Buffer.from(received), Buffer.from(code))).toBe(true);
  });

  it('names a missing ACS role and refuses voice for now', async () => {
    const sender = new AcsSmsSender(connect({ clientId: SECRET_APP, clientCertificate: undefined, clientSecret: SECRET }));
    expect((await rejection(sender.sendCode({ user: ALICE.upn, phone: '+12065550101' }, '123456', 'sms', signal()))).code).toBe('permission-missing');
    expect((await rejection(sender.sendCode({ user: ALICE.upn, phone: '+12065550101' }, '123456', 'voice', signal()))).code).toBe('config');
  });
});

describe('voice approval through ACS Call Automation', () => {
  // Stands in for results-api: receives the callbacks and hands them to the approver.
  let receiver: Server;
  let approver: AcsVoiceApprover;
  const outcomes = new Map<string, (outcome: VoiceApprovalOutcome) => void>();
  const refused: string[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const challengeId = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
        approver
          .handleEvents(challengeId, url.searchParams.get('sig') ?? '', JSON.parse(Buffer.concat(chunks).toString('utf8')), signal())
          .then((outcome) => {
            response.writeHead(200).end();
            if (outcome !== 'pending') outcomes.get(challengeId)?.(outcome);
          })
          .catch((error: unknown) => {
            refused.push(challengeId);
            response.writeHead(error instanceof EntraError && error.code === 'config' ? 401 : 500).end();
          });
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    approver = new AcsVoiceApprover(connect(), {
      callbackBaseUrl: `http://127.0.0.1:${port}/acs/calls`,
      callbackSecret: randomBytes(32),
      from: '+18005550100',
      cognitiveServicesEndpoint: 'https://speech.example.invalid',
    });
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  async function callAndWait(phone: string): Promise<{ outcome: VoiceApprovalOutcome; callConnectionId: string }> {
    const challengeId = randomUUID();
    const outcome = new Promise<VoiceApprovalOutcome>((resolve) => outcomes.set(challengeId, resolve));
    const { callConnectionId } = await approver.startCall(challengeId, { user: ALICE.upn, phone }, signal());
    return { outcome: await outcome, callConnectionId };
  }

  it('approves when the callee presses #, then hangs up', async () => {
    const { outcome, callConnectionId } = await callAndWait('+12065550111');
    expect(outcome).toBe('approved');
    const call = standin.calls.get(callConnectionId);
    expect(call?.prompts[0]).toContain('press the pound key');
    expect(call?.from).toBe('+18005550100');
    expect(call?.terminated).toBe(true);
  });

  it('denies on another key, and reports silence and an unanswered call as no answer', async () => {
    standin.callAnswers.set('+12065550112', { tone: 'one' });
    standin.callAnswers.set('+12065550113', 'silence');
    standin.callAnswers.set('+12065550114', 'no-answer');
    expect((await callAndWait('+12065550112')).outcome).toBe('denied');
    expect((await callAndWait('+12065550113')).outcome).toBe('no-answer');
    expect((await callAndWait('+12065550114')).outcome).toBe('no-answer');
  });

  it('refuses a callback with a forged signature', async () => {
    const challengeId = randomUUID();
    const forged = new URL(approver.callbackUrl(randomUUID()));
    forged.pathname = forged.pathname.replace(/[^/]+$/, challengeId);
    const response = await fetch(forged, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ type: 'Microsoft.Communication.RecognizeCompleted', data: { callConnectionId: 'x', dtmfResult: { tones: ['pound'] } } }]) });
    expect(response.status).toBe(401);
    expect(refused).toContain(challengeId);
  });
});

describe('doctor checks', () => {
  it('reports every check passing for a working registration', async () => {
    const checks = await diagnoseEntra(connect(), { probeUser: ALICE.upn, signal: signal() });
    expect(checks.map((c) => [c.check, c.ok])).toEqual([
      ['graph-token', true],
      ['user-lookup', true],
      ['group-lookup', true],
      ['acs-token', true],
    ]);
  });

  it('says what is wrong and how to fix it', async () => {
    const badSecret = await diagnoseEntra(connect({ clientId: SECRET_APP, clientCertificate: undefined, clientSecret: 'wrong', acsEndpoint: undefined }), { probeUser: ALICE.upn });
    expect(badSecret).toHaveLength(1);
    expect(badSecret[0]).toMatchObject({ check: 'graph-token', ok: false });
    expect(badSecret[0]?.message).toMatch(/^bad-secret: .*Secret ID/);
    const noPermission = await diagnoseEntra(connect({ clientId: NO_PERMISSION_APP, clientCertificate: undefined, clientSecret: SECRET, acsEndpoint: undefined }), { probeUser: ALICE.upn });
    expect(noPermission.find((c) => c.check === 'user-lookup')?.message).toContain('User.Read.All');
  });
});
