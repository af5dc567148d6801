// Entra ID through the whole product: the real `radius-mfa start --role all` process (built dist)
// against the Entra stand-in (msal, Graph, ACS SMS and Call Automation over HTTPS, its CA pinned
// with directories.entra.caCertificates), with a NAS played by the codec on real UDP sockets.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisKeys } from '@radius-mfa/contracts';
import { base32Decode, createSealerFromBase64, createUserStore, generateTotp } from '@radius-mfa/mfa';
import { Attr, Code, buildRequest, findAttributes, hidePassword, octetsAttribute, textAttribute, verifyResponse, type RadiusAttribute, type RadiusPacket } from '@radius-mfa/radius-protocol';
import { freeTcpPort, freeUdpPort, startEntraStandin, startRedis, type EntraStandin, type RedisHandle } from '@radius-mfa/testing';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'node_modules/.bin/radius-mfa');
// The bin's `#!/usr/bin/env node` must find the Node 24 that runs this suite, not the machine's.
const PATH = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;

const SECRET = 'entra-e2e-shared-secret';
const SEALING_KEY = randomBytes(32).toString('base64');
const VPN_GROUP = randomUUID();
const BYPASS_GROUP = randomUUID();
const DOMAIN = 'contoso.example';

/** Each client is told apart by its source address, so each NAS sends from its own loopback address. */
const NAS = { vpn: '127.0.0.11', sms: '127.0.0.12', voice: '127.0.0.13', open: '127.0.0.14', closed: '127.0.0.15' } as const;

const users = {
  alice: { upn: `alice@${DOMAIN}`, password: 'Alice password 1!' },
  dave: { upn: `dave@${DOMAIN}`, password: 'Dave password 1!' },
  carol: { upn: `carol@${DOMAIN}`, password: 'Carol password 1!' },
  sam: { upn: `sam@${DOMAIN}`, password: 'Sam password 1!', mobile: '+1 206 555 0123' },
  val: { upn: `val@${DOMAIN}`, mobile: '+1 206 555 0177' },
  olive: { upn: `olive@${DOMAIN}` },
  cole: { upn: `cole@${DOMAIN}` },
} as const;

interface Nas {
  /** One Access-Request from this NAS's address; resolves with the verified answer. */
  send(user: string, options?: { password?: string; state?: Buffer }): Promise<RadiusPacket>;
}

function nasAt(address: string, port: number): Nas {
  let identifier = 0;
  return {
    send(user, options = {}) {
      const secret = Buffer.from(SECRET);
      const authenticator = randomBytes(16);
      const attributes: RadiusAttribute[] = [textAttribute(Attr.UserName, user)];
      if (options.password !== undefined) attributes.push(octetsAttribute(Attr.UserPassword, hidePassword(Buffer.from(options.password), secret, authenticator)));
      if (options.state) attributes.push(octetsAttribute(Attr.State, options.state));
      identifier = (identifier + 1) & 0xff;
      const id = identifier;
      const request = buildRequest({ code: Code.AccessRequest, identifier: id, authenticator, attributes, secret, messageAuthenticator: true });
      const socket = createSocket('udp4');
      return new Promise<RadiusPacket>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('message', (message) => {
          try {
            resolve(verifyResponse(message, { identifier: id, authenticator }, secret, { requireMessageAuthenticator: true }));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        socket.bind(0, address, () => socket.send(request, port, '127.0.0.1'));
      }).finally(() => socket.close());
    },
  };
}

/** Asks /readyz until it answers 200; fails at once with `failure()` when the process died. */
async function untilReady(url: string, failure: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const problem = failure();
    if (problem) throw new Error(problem);
    if ((await fetch(url).catch(() => undefined))?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within 60 s`);
    await setTimeout(200);
  }
}

const replyMessage = (packet: RadiusPacket): string => findAttributes(packet, Attr.ReplyMessage).map((v) => v.toString('utf8')).join('');
const stateOf = (packet: RadiusPacket): Buffer => findAttributes(packet, Attr.State)[0]!;

describe('Entra ID end to end (radius-mfa start --role all against the Entra stand-in)', () => {
  let redis: RedisHandle;
  let standin: EntraStandin;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  let commands: Redis;
  let prefix: string;
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-e2e-entra-'));
  const nas = {} as Record<keyof typeof NAS, Nas>;

  beforeAll(async () => {
    [redis, standin] = await Promise.all([startRedis(), startEntraStandin()]);
    prefix = redis.prefix();
    const app = standin.pki.issue('radius-mfa-app');
    const clientId = randomUUID();
    standin.addApp({ clientId, certificates: [app.cert], graphPermissions: ['User.Read.All', 'GroupMember.Read.All', 'UserAuthenticationMethod.Read.All'], acsAccess: true });
    const add = (name: string, extra: { password?: string; enabled?: boolean; groups?: string[]; mobile?: string }): void =>
      standin.addUser({
        id: randomUUID(),
        userPrincipalName: name,
        accountEnabled: extra.enabled ?? true,
        ...(extra.password !== undefined && { password: extra.password }),
        groups: extra.groups ?? [VPN_GROUP],
        ...(extra.mobile !== undefined && { phones: [{ phoneType: 'mobile' as const, phoneNumber: extra.mobile }] }),
      });
    add(users.alice.upn, { password: users.alice.password });
    add(users.dave.upn, { password: users.dave.password, enabled: false });
    add(users.carol.upn, { password: users.carol.password, groups: [VPN_GROUP, BYPASS_GROUP] });
    add(users.sam.upn, { password: users.sam.password, mobile: users.sam.mobile });
    add(users.val.upn, { mobile: users.val.mobile });
    add(users.olive.upn, { mobile: '+1 206 555 0188' });
    add(users.cole.upn, { mobile: '+1 206 555 0199' });

    const caFile = join(dir, 'entra-ca.pem');
    writeFileSync(caFile, standin.caPem);
    const [radiusPort, apiPort, opsPort] = await Promise.all([freeUdpPort(), freeTcpPort(), freeTcpPort()]);
    const client = (name: string, address: string, rest: string): string => `  - { name: ${name}, address: ${address}, secret: "${SECRET}", ${rest} }\n`;
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        `redis: { url: "${redis.url}", keyPrefix: "${prefix}" }`,
        `radius: { listen: ["udp://127.0.0.1:${radiusPort}"] }`,
        `api: { listen: "http://127.0.0.1:${apiPort}" }`,
        `ops: { listen: "http://127.0.0.1:${opsPort}" }`,
        'log: { level: warn }',
        `security: { sealingKeys: [{ id: k1, key: "${SEALING_KEY}" }] }`,
        'clients:',
        client('vpn', NAS.vpn, `firstFactor: entra, prompt: append, methods: [totp], bypass: { groups: ["${BYPASS_GROUP}"] }, requireGroups: ["${VPN_GROUP}"]`) +
          client('vpn-sms', NAS.sms, 'firstFactor: entra, prompt: challenge, methods: [sms]') +
          client('rdg-voice', NAS.voice, 'firstFactor: none, userSource: entra, prompt: auto, methods: [voice]') +
          client('rdg-open', NAS.open, 'firstFactor: none, userSource: entra, prompt: auto, methods: [voice], failMode: open') +
          client('rdg-closed', NAS.closed, 'firstFactor: none, userSource: entra, prompt: auto, methods: [voice], failMode: closed'),
        'directories:',
        '  entra:',
        `    tenantId: "${standin.tenantId}"`,
        `    clientId: "${clientId}"`,
        `    clientCertificate: { key: "${app.keyFile}", cert: "${app.certFile}" }`,
        `    authorityHost: "${standin.authorityHost}"`,
        `    graphEndpoint: "${standin.graphEndpoint}"`,
        `    acsEndpoint: "${standin.acsEndpoint}"`,
        '    caCertificates: entra-ca.pem',
        '    ropc: true',
        'mfa:',
        '  sms: { sender: { type: acs, from: "+18005550199" } }',
        '  voice:',
        '    sender: { type: acs, from: "+18005550100", callbackSecret: "${VOICE_CALLBACK_SECRET}", promptUrl: "https://cdn.example.test/press-pound.wav" }',
        '',
      ].join('\n'),
    );

    child = spawn(bin, ['start', '--role', 'all', '--config', config], {
      cwd: root,
      env: { ...process.env, PATH, VOICE_CALLBACK_SECRET: randomBytes(32).toString('base64') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // Ready: every role's sockets bound and Redis answering (/readyz, what a load balancer asks).
    await untilReady(`http://127.0.0.1:${opsPort}/readyz`, () => (child.exitCode === null ? undefined : `radius-mfa exited ${child.exitCode}:\n${output}`));
    for (const [name, address] of Object.entries(NAS)) nas[name as keyof typeof NAS] = nasAt(address, radiusPort);
    commands = new Redis(redis.url);
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    commands?.disconnect();
    await Promise.all([standin?.close(), redis?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function auditOf(user: string): Promise<Record<string, string>[]> {
    const entries = await commands.xrange(redisKeys(prefix).audit(), '-', '+');
    const events = entries.map(([, fields]) => Object.fromEntries(fields.flatMap((_, i) => (i % 2 === 0 ? [[fields[i]!, fields[i + 1]!]] : []))) as Record<string, string>);
    return events.filter((event) => event['user'] === user);
  }

  it('(a) firstFactor entra: the password checked by Entra (ROPC), the appended TOTP code by us', async () => {
    const store = createUserStore({ redis: commands, keys: redisKeys(prefix), sealer: createSealerFromBase64([{ id: 'k1', key: SEALING_KEY }]), totp: { issuer: 'radius-mfa', digits: 6, period: 30, algorithm: 'SHA1' } });
    const { secret } = await store.enrollTotp(users.alice.upn, { confirmed: true });
    const code = (): string => generateTotp(base32Decode(secret), { time: Date.now() / 1000 });
    expect((await nas.vpn.send(users.alice.upn, { password: `Wrong password 1!,${code()}` })).code).toBe(Code.AccessReject);
    const wrongCode = code() === '000000' ? '111111' : '000000';
    expect((await nas.vpn.send(users.alice.upn, { password: `${users.alice.password},${wrongCode}` })).code).toBe(Code.AccessReject);
    const before = standin.counters.tokens.password;
    expect((await nas.vpn.send(users.alice.upn, { password: `${users.alice.password},${code()}` })).code).toBe(Code.AccessAccept);
    expect(standin.counters.tokens.password).toBeGreaterThan(before);
  });

  it('(b) a disabled Entra account is rejected, with the right password or behind RD Gateway', async () => {
    expect((await nas.vpn.send(users.dave.upn, { password: `${users.dave.password},123456` })).code).toBe(Code.AccessReject);
    expect((await nas.closed.send(users.dave.upn)).code).toBe(Code.AccessReject);
    await expect.poll(async () => (await auditOf(users.dave.upn)).map((e) => e['reason'])).toContain('entra-account-disabled');
  });

  it('(c) a member of the bypass group (by Entra object id) needs no second factor', async () => {
    const accept = await nas.vpn.send(users.carol.upn, { password: users.carol.password });
    expect(accept.code).toBe(Code.AccessAccept);
    await expect.poll(async () => (await auditOf(users.carol.upn)).at(-1)).toMatchObject({ outcome: 'accept', reason: 'bypass-group' });
  });

  it('(d) an SMS code through ACS to the Graph mobile, answered at the Access-Challenge', async () => {
    const sent = standin.smsOutbox.length;
    const challenge = await nas.sms.send(users.sam.upn, { password: users.sam.password });
    expect(challenge.code).toBe(Code.AccessChallenge);
    expect(standin.smsOutbox.length).toBe(sent + 1);
    const sms = standin.smsOutbox[sent]!;
    expect(sms).toMatchObject({ to: '+12065550123', from: '+18005550199' });
    const code = /\d{6}/.exec(sms.message)?.[0];
    expect(code).toBeDefined();
    const wrong = await nas.sms.send(users.sam.upn, { password: code === '000000' ? '111111' : '000000', state: stateOf(challenge) });
    expect(wrong.code).toBe(Code.AccessChallenge);
    expect((await nas.sms.send(users.sam.upn, { password: code!, state: stateOf(wrong) })).code).toBe(Code.AccessAccept);
  });

  it('(e) an approval call: # pressed on the ACS call, the Accept reaches the waiting NAS', async () => {
    const accept = await nas.voice.send(users.val.upn);
    expect(accept.code).toBe(Code.AccessAccept);
    const call = [...standin.calls.values()].find((c) => c.to === '+12065550177');
    expect(call).toMatchObject({ from: '+18005550100', prompts: ['https://cdn.example.test/press-pound.wav'] });
    expect(call?.callbackUri).toMatch(/\/v1\/voice\/callback\/[0-9a-f]{32}\?sig=/);
  });

  it('(e) another key pressed denies: the waiting NAS gets the Reject', async () => {
    standin.callAnswers.set('+12065550188', { tone: 'one' });
    const reject = await nas.voice.send(users.olive.upn);
    expect(reject.code).toBe(Code.AccessReject);
    expect(replyMessage(reject)).toContain('not approved');
  });

  it('(f) Graph down: failMode open accepts (audited fail-open), closed rejects', async () => {
    standin.graphDown = true;
    try {
      // Users never looked up before: nothing cached, Graph must answer.
      const open = await nas.open.send(users.cole.upn);
      expect(open.code).toBe(Code.AccessAccept);
      await expect.poll(async () => (await auditOf(users.cole.upn)).at(-1)).toMatchObject({ outcome: 'fail-open', reason: 'entra-unreachable' });
      const closed = await nas.closed.send(`nobody-yet@${DOMAIN}`);
      expect(closed.code).toBe(Code.AccessReject);
      expect(replyMessage(closed)).toContain('unavailable');
    } finally {
      standin.graphDown = false;
    }
  });

  it('shuts down in order on SIGTERM (the Entra connection closed with the roles)', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/"level":(50|60)/);
  });
});
