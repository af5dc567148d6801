// The demo's secrets (made on the first run, kept in the data directory) and the config it runs with.
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import argon2 from 'argon2';
import { base32Encode, generateTotpSecret } from '@radius-mfa/mfa';
import { freeLoopbackPort } from './embedded-redis.js';

export const DEMO_USER = 'demo';
/** Signs in with the same password and approves a push: the link is printed by the demo, opened in a browser. */
export const DEMO_PUSH_USER = 'demo-push';
/** Has the demo password and no second factor: the printed enrollment link is for this user. */
export const DEMO_NEWCOMER = 'newcomer';
export const DEMO_CLIENT = 'demo';
/** Its own key prefix, so a demo pointed at a shared REDIS_URL never mixes with real data. */
export const DEMO_KEY_PREFIX = '{rmfa-demo}';

/** Everything random about a demo installation. Kept owner-only in `demo-credentials.json`: it is a demo. */
export interface DemoCredentials {
  readonly clientSecret: string;
  readonly adminToken: string;
  readonly sealingKey: string;
  readonly password: string;
  readonly passwordHash: string;
  readonly totpSecret: string;
}

/** Where the demo's pushes go: its own receiver (demo-push-receiver.ts). */
export interface DemoPushTarget {
  readonly url: string;
  readonly signingSecret: string;
}

export interface DemoPorts {
  readonly radius: number;
  readonly api: number;
  readonly ops: number;
}

const ALPHANUMERIC = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** Letters and digits only, so the printed command works pasted into any shell without quoting. */
function randomText(length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

export async function loadOrCreateCredentials(dataDir: string): Promise<{ credentials: DemoCredentials; created: boolean }> {
  const file = join(dataDir, 'demo-credentials.json');
  if (existsSync(file)) return { credentials: JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials, created: false };
  const password = randomText(16);
  const credentials: DemoCredentials = {
    clientSecret: randomText(32),
    adminToken: randomText(40),
    sealingKey: randomBytes(32).toString('base64'),
    password,
    passwordHash: await argon2.hash(password, { type: argon2.argon2id }),
    totpSecret: base32Encode(generateTotpSecret()),
  };
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { credentials, created: true };
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freeUdpLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** What `npm start` binds unless told otherwise: the ports a NAS or a browser expects. */
export const USUAL_DEMO_PORTS: DemoPorts = { radius: 1812, api: 8080, ops: 9100 };

/** Ports asked for on the command line: a number, 0 for any free port, left out for the usual one when free. */
export type DemoPortRequest = Partial<DemoPorts>;

/** The option that sets each port, for messages that say how to choose another. */
export const DEMO_PORT_OPTIONS: Readonly<Record<keyof DemoPorts, string>> = { radius: '--radius-port', api: '--api-port', ops: '--ops-port' };

/** A port asked for by number is taken (or asked for twice): the demo stops rather than bind elsewhere. */
export class DemoPortError extends Error {
  readonly code = 'DEMO_PORT';
  constructor(
    readonly role: keyof DemoPorts,
    readonly port: number,
    readonly reason: 'taken' | 'duplicate',
  ) {
    const option = DEMO_PORT_OPTIONS[role];
    super(
      reason === 'taken'
        ? `${option} ${port}: the port is in use on 127.0.0.1; choose another, or ${option} 0 for any free port`
        : `${option} ${port}: the API and metrics need different TCP ports; choose another, or ${option} 0 for any free port`,
    );
    this.name = 'DemoPortError';
  }
}

async function choosePort(role: keyof DemoPorts, requested: number | undefined, usual: number, protocol: 'udp' | 'tcp', inUse: readonly number[]): Promise<number> {
  const isFree = protocol === 'udp' ? udpPortFree : tcpPortFree;
  const anyFree = protocol === 'udp' ? freeUdpLoopbackPort : freeLoopbackPort;
  if (requested !== undefined && requested !== 0) {
    if (inUse.includes(requested)) throw new DemoPortError(role, requested, 'duplicate');
    if (!(await isFree(requested))) throw new DemoPortError(role, requested, 'taken');
    return requested;
  }
  if (requested === undefined && !inUse.includes(usual) && (await isFree(usual))) return usual;
  // Two quick asks for a free port may get the same one back: the API and metrics must differ.
  for (;;) {
    const port = await anyFree();
    if (!inUse.includes(port)) return port;
  }
}

/** Each port as asked for; left out, the usual one when free, else any free one (FreeRADIUS may own 1812). */
export async function chooseDemoPorts(requested: DemoPortRequest = {}, usual: DemoPorts = USUAL_DEMO_PORTS): Promise<DemoPorts> {
  const radius = await choosePort('radius', requested.radius, usual.radius, 'udp', []);
  const tcp = async (role: 'api' | 'ops', inUse: readonly number[]): Promise<number> => choosePort(role, requested[role], usual[role], 'tcp', inUse);
  // A port given by number is chosen first, so the free one picked for the other never takes it.
  if (requested.api !== undefined && requested.api !== 0) {
    const api = await tcp('api', []);
    return { radius, api, ops: await tcp('ops', [api]) };
  }
  const ops = await tcp('ops', []);
  return { radius, api: await tcp('api', [ops]), ops };
}

/** The demo config: everything on 127.0.0.1, one client, a local user with TOTP and one with push. */
export function renderDemoConfig(credentials: DemoCredentials, ports: DemoPorts, redisUrl: string, push: DemoPushTarget): string {
  const hash = JSON.stringify(credentials.passwordHash);
  return [
    '# Generated by `npm start` (radius-mfa demo) on every run; the secrets live in demo-credentials.json.',
    `redis: { url: ${JSON.stringify(redisUrl)}, keyPrefix: ${JSON.stringify(DEMO_KEY_PREFIX)} }`,
    `radius: { listen: ["udp://127.0.0.1:${ports.radius}"] }`,
    `api: { listen: "http://127.0.0.1:${ports.api}", adminToken: ${JSON.stringify(credentials.adminToken)} }`,
    `ops: { listen: "http://127.0.0.1:${ports.ops}" }`,
    '# warn: the terminal keeps the instructions readable; use info to watch each decision.',
    'log: { level: warn }',
    `security: { sealingKeys: [{ id: demo, key: ${JSON.stringify(credentials.sealingKey)} }] }`,
    'clients:',
    `  - name: ${DEMO_CLIENT}`,
    '    address: 127.0.0.1/32',
    `    secret: ${JSON.stringify(credentials.clientSecret)}`,
    '    firstFactor: local',
    '    prompt: challenge',
    `    # Each user is asked for what they enrolled: ${DEMO_USER} a TOTP code, ${DEMO_PUSH_USER} a push approval.`,
    '    methods: [totp, push]',
    '    # Not below mfa.push.timeoutSeconds: a person reads the link off the terminal first.',
    '    timeoutSeconds: 120',
    'directories:',
    `  # ${DEMO_NEWCOMER} enrolls through the printed link, then signs in with the same password.`,
    `  local: { users: [{ name: ${DEMO_USER}, passwordHash: ${hash} }, { name: ${DEMO_PUSH_USER}, passwordHash: ${hash} }, { name: ${DEMO_NEWCOMER}, passwordHash: ${hash} }] }`,
    'mfa:',
    '  totp: { issuer: "radius-mfa demo" }',
    '  # The demo\'s own receiver stands in for the phone: it prints each push with its approval link.',
    '  # Generous limits: the walkthrough invites several pushes in a row (production keeps the defaults, 3 a minute, 10 an hour).',
    `  push: { numberMatching: true, timeoutSeconds: 120, limits: { perMinute: 20, perHour: 200 }, notifier: { type: webhook, url: ${JSON.stringify(push.url)}, signingSecret: ${JSON.stringify(push.signingSecret)} } }`,
    '',
  ].join('\n');
}
