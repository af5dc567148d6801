#!/usr/bin/env node
// `npm run bench -- push [count] [approvals]`: push approval end to end on a private Redis, every
// role in this one process as `--role all` runs them (ingress, worker, results-api), real UDP and HTTP.
//   initiations  `count` Access-Requests (prompt auto, push, each a distinct enrolled user) sent at
//                once over UDP, up to the push webhook arriving at a local receiver: pushes per second
//                (ingress admission, queue, worker, push limits, challenge, prepared verdicts, webhook).
//   approval     `approvals` of those pushes approved one at a time with a POST to the approveUrl the
//                webhook carried: time from the POST to the Access-Accept on the NAS socket (p50, p99).
// Builds the packages it needs (`tsc -b`). Prints one JSON line last.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { percentile, round } from './_lib/stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b', 'services/radius-ingress', 'services/mfa-worker', 'services/results-api', 'libs/testing'], { cwd: root, stdio: 'inherit' });

const { parseConfig } = await import('@radius-mfa/config');
const { redisKeys } = await import('@radius-mfa/contracts');
const { Attr, Code, buildRequest, decodePacket, textAttribute } = await import('@radius-mfa/radius-protocol');
const { createSealerFromBase64, createUserStore } = await import('@radius-mfa/mfa');
const { createLogger, createRoleContext } = await import('@radius-mfa/runtime');
const { freeTcpPort, startRedisServer } = await import('@radius-mfa/testing');
const { createIngressStarter } = await import('@radius-mfa/radius-ingress');
const { startWorker } = await import('@radius-mfa/mfa-worker');
const { createResultsStarter } = await import('@radius-mfa/results-api');

const count = Number(process.argv[2] ?? 5_000);
const approvals = Math.min(count, Number(process.argv[3] ?? 500));
const secret = Buffer.from('bench-shared-secret');

// The push webhook receiver: the "phones". Every payload carries the approveUrl.
const pushes = new Map();
let onPush = () => undefined;
const phone = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    pushes.set(payload.user, payload);
    response.writeHead(204).end();
    onPush();
  });
});
phone.keepAliveTimeout = 60_000;
await new Promise((resolve) => phone.listen(0, '127.0.0.1', resolve));

const redis = await startRedisServer();
const prefix = '{bench}';
const apiPort = await freeTcpPort();
const apiUrl = `http://127.0.0.1:${apiPort}`;
const sealingKey = randomBytes(32).toString('base64');
const config = parseConfig(
  JSON.stringify({
    redis: { url: redis.url, keyPrefix: prefix },
    radius: { listen: ['udp://127.0.0.1:0'], maxPendingPerPod: count + 1_000 },
    api: { listen: apiUrl, publicUrl: apiUrl },
    security: { sealingKeys: [{ id: 'k1', key: sealingKey }] },
    log: { level: 'silent' },
    clients: [
      {
        name: 'bench',
        address: '127.0.0.1',
        secret: secret.toString(),
        firstFactor: 'none',
        prompt: 'auto',
        methods: ['push'],
        timeoutSeconds: 600,
        rateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
      },
    ],
    mfa: { push: { timeoutSeconds: 600, notifier: { type: 'webhook', url: `http://127.0.0.1:${phone.address().port}/push` } } },
  }),
  { env: {} },
).config;

// Setup (not measured): every user enrolled for push.
const keys = redisKeys(prefix);
const commands = new Redis(redis.url);
const users = createUserStore({ redis: commands, keys, sealer: createSealerFromBase64(config.security.sealingKeys), totp: config.mfa.totp });
for (let i = 0; i < count; i += 500) await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, j) => users.enrollPush(`user${i + j}`)));

const logger = createLogger({ level: 'silent', name: 'all' });
const handle = createRoleContext({ config, logger });
const roles = [];
const nas = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
try {
  const ingress = await createIngressStarter({ drainTimeoutMs: 1_000 })(handle.context);
  roles.push(ingress);
  roles.push(await startWorker(handle.context));
  // Valid approval tokens cost no per-address budget: the default limits never refuse this run.
  roles.push(await createResultsStarter()(handle.context));
  const port = ingress.addresses.auth[0].port;

  await new Promise((resolve) => nas.bind(0, '127.0.0.1', resolve));
  let onAnswer = () => undefined;
  nas.on('message', (message) => onAnswer(message));

  const requests = Array.from({ length: count }, (_, i) =>
    buildRequest({
      code: Code.AccessRequest,
      identifier: i & 0xff,
      authenticator: randomBytes(16),
      secret,
      messageAuthenticator: true,
      attributes: [textAttribute(Attr.UserName, `user${i}`), textAttribute(Attr.NASIdentifier, 'rdgw-01'), textAttribute(Attr.CallingStationId, '203.0.113.9')],
    }),
  );

  // Phase 1: push initiations.
  const allPushed = new Promise((resolve) => {
    onPush = () => pushes.size >= count && resolve();
  });
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    nas.send(requests[i], port, '127.0.0.1');
    // Yield now and then so the roles in this process run while the NAS sends.
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
  }
  await allPushed;
  const initiationSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);

  // Phase 2: approval POST -> Access-Accept on the NAS socket, one at a time.
  const latencies = [];
  let accepts = 0;
  for (let i = 0; i < approvals; i++) {
    const push = pushes.get(`user${i}`);
    const identifier = decodePacket(requests[i]).identifier;
    const answered = new Promise((resolve) => {
      onAnswer = (message) => {
        const packet = decodePacket(message);
        if (packet.identifier === identifier) resolve(packet.code);
      };
    });
    const t0 = performance.now();
    const response = await fetch(push.approveUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (response.status !== 200) throw new Error(`approval answered ${response.status}: ${await response.text()}`);
    const code = await answered;
    latencies.push(performance.now() - t0);
    if (code === Code.AccessAccept) accepts++;
  }
  latencies.sort((a, b) => a - b);

  console.log(
    JSON.stringify({
      bench: 'push',
      pushes: count,
      initiationsPerSecond: round(count / initiationSeconds),
      processCpuSecondsPer1000Initiations: round(((cpu.user + cpu.system) / 1e6 / count) * 1000, 3),
      approvals,
      accepts,
      approvalToAcceptMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1)) },
      goals: { initiationsPerSecond: 1_000, approvalToAcceptP99Ms: 20 },
      cores: cpus().length,
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
    }),
  );
} finally {
  for (const role of roles.reverse()) await role.stop().catch(() => undefined);
  await handle.closeRedisConnections();
  commands.disconnect();
  nas.close();
  phone.closeAllConnections();
  await new Promise((resolve) => phone.close(resolve));
  await redis.stop();
}
