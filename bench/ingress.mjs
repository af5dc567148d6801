#!/usr/bin/env node
// `npm run bench -- ingress [count]`: the front door of radius-ingress on a private Redis, over real
// UDP. Three phases, each `count` distinct Access-Requests (Message-Authenticator, PAP):
//   new     decode, verify, atomic admission, BullMQ enqueue (a new transaction each)
//   join    the same requests as retransmissions landing on a second pod: admission joins them
//   cached  the same again on a third pod after the verdicts: answered from the response cache
// For each: admissions per second and Redis commands per admission (INFO commandstats).
// Builds the packages it needs (`tsc -b`). Prints one JSON line last.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { redisMeter } from './_lib/redis-stats.mjs';
import { round } from './_lib/stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b', 'services/radius-ingress', 'libs/testing'], { cwd: root, stdio: 'inherit' });

const { parseConfig } = await import('@radius-mfa/config');
const { redisKeys } = await import('@radius-mfa/contracts');
const { Attr, Code, buildRequest, buildResponse, decodePacket, hidePassword, textAttribute } = await import('@radius-mfa/radius-protocol');
const { createLogger, createRoleContext } = await import('@radius-mfa/runtime');
const { startRedisServer } = await import('@radius-mfa/testing');
const { deliverVerdict } = await import('@radius-mfa/transactions');
const { createIngressStarter } = await import('@radius-mfa/radius-ingress');

const count = Number(process.argv[2] ?? 20_000);
const WINDOW = 1_024;
const secret = Buffer.from('bench-shared-secret');

const redis = await startRedisServer();
const prefix = '{bench}';
const config = parseConfig(
  JSON.stringify({
    redis: { url: redis.url, keyPrefix: prefix },
    radius: { listen: ['udp://127.0.0.1:0'], maxPendingPerPod: count + WINDOW },
    security: { sealingKeys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] },
    log: { level: 'silent' },
    clients: [{ name: 'bench', address: '127.0.0.1', secret: secret.toString(), timeoutSeconds: 600, rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } }],
  }),
  { env: {} },
).config;

async function startPod() {
  const logger = createLogger({ level: 'silent', name: 'ingress' });
  const handle = createRoleContext({ config, logger });
  const running = await createIngressStarter({ drainTimeoutMs: 1_000 })(handle.context);
  const metric = async (name, labels) => {
    const { values } = await handle.context.registry.getSingleMetric(name).get();
    return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((sum, v) => sum + v.value, 0);
  };
  return { port: running.addresses.auth[0].port, metric, stop: async () => (await running.stop(), await handle.closeRedisConnections()) };
}

const nas = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
await new Promise((resolve) => nas.bind(0, '127.0.0.1', resolve));
let received = 0;
nas.on('message', () => received++);

const requests = Array.from({ length: count }, (_, i) => {
  const authenticator = randomBytes(16);
  return buildRequest({
    code: Code.AccessRequest,
    identifier: i & 0xff,
    authenticator,
    secret,
    messageAuthenticator: true,
    attributes: [textAttribute(Attr.UserName, `user${i}@example.com`), { type: Attr.UserPassword, value: hidePassword(Buffer.from('correct horse'), secret, authenticator) }, textAttribute(Attr.NASIdentifier, 'rdgw-01')],
  });
});

const probe = new Redis(redis.url);
const waitList = `${prefix}:auth:wait`;

/** Sends every request to `port`, at most WINDOW outstanding by `done()`; returns seconds and Redis commands. */
async function phase(port, done) {
  const meter = await redisMeter(redis.url);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let sent = 0;
  while (sent < count || (await done()) < count) {
    const finished = await done();
    while (sent < count && sent - finished < WINDOW) nas.send(requests[sent++], port, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = await meter.read();
  await meter.close();
  // The phase's own progress probe (LLEN) is not the ingress's work.
  const probeCalls = stats.perCommand.llen ?? 0;
  delete stats.perCommand.llen;
  return {
    admissionsPerSecond: round(count / seconds),
    redisCommandsPerAdmission: round((stats.total - probeCalls) / count, 2),
    redisCommands: Object.fromEntries(Object.entries(stats.perCommand).map(([k, v]) => [k, round(v / count, 2)])),
    processCpuSecondsPer1000: round(((cpu.user + cpu.system) / 1e6 / count) * 1000, 3),
  };
}

const pods = [];
try {
  const first = await startPod();
  pods.push(first);
  const fresh = await phase(first.port, () => probe.llen(waitList));

  const second = await startPod();
  pods.push(second);
  const joined = await phase(second.port, () => second.metric('radius_duplicates_total', { outcome: 'joined' }));

  // The verdicts (not measured): every transaction answered once, through the one verdict path.
  const keys = redisKeys(prefix);
  const commands = new Redis(redis.url);
  const { transactionId } = await import('@radius-mfa/transactions');
  const nasPort = nas.address().port;
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      requests.slice(i, i + 500).map((raw) => {
        const packet = decodePacket(raw);
        const txn = transactionId('bench', '127.0.0.1', nasPort, packet.identifier, packet.authenticator);
        return deliverVerdict(commands, keys, txn, buildResponse(packet, Code.AccessAccept, [], secret));
      }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  commands.disconnect();

  const third = await startPod();
  pods.push(third);
  received = 0;
  const cached = await phase(third.port, async () => received);

  console.log(
    JSON.stringify({
      bench: 'ingress',
      requests: count,
      window: WINDOW,
      new: fresh,
      join: joined,
      cached,
      cores: cpus().length,
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
    }),
  );
} finally {
  for (const pod of pods) await pod.stop().catch(() => undefined);
  probe.disconnect();
  nas.close();
  await redis.stop();
}
