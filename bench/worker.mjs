#!/usr/bin/env node
// `npm run bench -- worker [count]`: mfa-worker decisions on a private Redis.
//   totp    `count` TOTP-only decisions (firstFactor none, prompt append: `,123456`), each a
//           distinct enrolled user, queued up front, then decided by one worker (concurrency 64):
//           decisions per second, Redis commands per decision (INFO commandstats, BullMQ's own
//           included), worker CPU per decision. Every decision is checked to be an Access-Accept.
//   argon2  argon2id verifications per second at the default cost (m=64 MiB, t=3, p=4, the
//           cost `radius-mfa hash-password` gives), as the local first factor runs them
//           (libuv thread pool, UV_THREADPOOL_SIZE or 4 threads).
// Builds the packages it needs (`tsc -b`). Prints one JSON line last.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import argon2 from 'argon2';
import { redisMeter } from './_lib/redis-stats.mjs';
import { round } from './_lib/stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b', 'services/mfa-worker', 'libs/testing'], { cwd: root, stdio: 'inherit' });

const { parseConfig } = await import('@radius-mfa/config');
const { QueueNames, redisKeys } = await import('@radius-mfa/contracts');
const { Attr, Code, buildRequest, hidePassword, textAttribute } = await import('@radius-mfa/radius-protocol');
const { base32Decode, createSealer, createUserStore, generateTotp } = await import('@radius-mfa/mfa');
const { LocalProvider } = await import('@radius-mfa/directory');
const { startRedisServer } = await import('@radius-mfa/testing');
const { admitTransaction, transactionId } = await import('@radius-mfa/transactions');
const { createAuthWorker, createWorkerDependencies, DEFAULT_CONCURRENCY } = await import('@radius-mfa/mfa-worker');

const count = Number(process.argv[2] ?? 5_000);
const argonCount = Number(process.argv[3] ?? 24);
const secret = 'bench-shared-secret';
const redis = await startRedisServer();
const prefix = '{bench}';
const sealingKey = randomBytes(32).toString('base64');
const config = parseConfig(
  JSON.stringify({
    redis: { url: redis.url, keyPrefix: prefix },
    security: { sealingKeys: [{ id: 'k1', key: sealingKey }] },
    log: { level: 'silent' },
    clients: [{ name: 'bench', address: '127.0.0.1', secret, firstFactor: 'none', prompt: 'append', methods: ['totp'], timeoutSeconds: 600 }],
  }),
  { env: {} },
).config;
const keys = redisKeys(prefix);
const sealer = createSealer([{ id: 'k1', key: Buffer.from(sealingKey, 'base64') }]);
const commands = new Redis(redis.url);
const queueConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
const queue = new Queue(QueueNames.auth, { connection: queueConnection, prefix });

async function totpPhase() {
  // Setup (not measured): users enrolled, transactions admitted, jobs queued.
  const users = createUserStore({ redis: commands, keys, sealer, totp: config.mfa.totp });
  const secrets = [];
  for (let i = 0; i < count; i += 200) {
    const batch = await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, j) => users.enrollTotp(`user${i + j}`, { confirmed: true })));
    secrets.push(...batch.map((b) => base32Decode(b.secret)));
  }
  const now = Date.now();
  const jobs = secrets.map((totpSecret, i) => {
    const authenticator = randomBytes(16);
    const password = Buffer.from(`,${generateTotp(totpSecret, { time: now / 1000 })}`);
    const raw = buildRequest({
      code: Code.AccessRequest,
      identifier: i & 0xff,
      authenticator,
      secret: Buffer.from(secret),
      messageAuthenticator: true,
      attributes: [textAttribute(Attr.UserName, `user${i}`), { type: Attr.UserPassword, value: hidePassword(password, Buffer.from(secret), authenticator) }],
    });
    const source = { address: '127.0.0.1', port: 10_000 + (i >> 8) };
    const txn = transactionId('bench', source.address, source.port, i & 0xff, authenticator);
    return { txn, data: { kind: 'auth.v1', txn, client: 'bench', ingressId: 'bench-ingress', receivedAt: now, deadline: now + 600_000, source, sealedRequest: sealer.seal(raw, txn).toString('base64') } };
  });
  for (let i = 0; i < jobs.length; i += 500) {
    const slice = jobs.slice(i, i + 500);
    await Promise.all(slice.map((job) => admitTransaction(commands, keys, { txn: job.txn, ingressId: 'bench-ingress', ttlMs: 600_000 })));
    await queue.addBulk(slice.map((job) => ({ name: 'auth', data: job.data, opts: { jobId: `j${job.txn}` } })));
  }

  // Measured: one worker drains the queue.
  const logger = pino({ level: 'silent' });
  const workerCommands = new Redis(redis.url);
  const blocking = new Redis(redis.url, { maxRetriesPerRequest: null });
  const deps = createWorkerDependencies({ config, redis: workerCommands, logger });
  let accepted = 0;
  let other = 0;
  let finished;
  const done = new Promise((resolve) => (finished = resolve));
  const meter = await redisMeter(redis.url);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = createAuthWorker(deps, {
    connection: blocking,
    prefix,
    logger,
    onOutcome: (outcome) => {
      if (outcome.status === 'delivered' && outcome.code === Code.AccessAccept) accepted++;
      else other++;
      if (accepted + other === count) finished();
    },
  });
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const used = await meter.read();
  await meter.close();
  await worker.close();
  await deps.close();
  workerCommands.disconnect();
  blocking.disconnect();
  if (other > 0) throw new Error(`${other} of ${count} decisions were not an Access-Accept`);
  const perCommand = Object.fromEntries(
    Object.entries(used.perCommand)
      .sort((a, b) => b[1] - a[1])
      .map(([command, calls]) => [command, round(calls / count, 2)]),
  );
  return {
    decisions: count,
    concurrency: DEFAULT_CONCURRENCY,
    decisionsPerSec: Math.round(count / seconds),
    redisCommandsPerDecision: round(used.total / count, 1),
    redisCommandsPerDecisionByCommand: perCommand,
    redisCpuMsPerDecision: round((used.cpuSeconds * 1000) / count, 3),
    workerCpuMsPerDecision: round((cpu.user + cpu.system) / 1000 / count, 3),
  };
}

async function argonPhase() {
  const parameters = { type: 'argon2id', memoryCost: 65_536, timeCost: 3, parallelism: 4 };
  const hash = await argon2.hash('correct horse battery staple', { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 4 });
  const provider = new LocalProvider({ users: [{ name: 'alice', passwordHash: hash }] });
  const password = Buffer.from('correct horse battery staple');
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  await provider.authenticate({ user: 'alice', password }, { signal: AbortSignal.timeout(60_000) });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: threads }, async () => {
      while (next++ < argonCount) {
        const result = await provider.authenticate({ user: 'alice', password }, { signal: AbortSignal.timeout(60_000) });
        if (result.outcome !== 'accept') throw new Error('argon2 verification failed');
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { parameters, verifications: argonCount, threads, verificationsPerSec: round(argonCount / seconds, 1), msPerVerificationPerThread: round((seconds * 1000 * threads) / argonCount, 1) };
}

try {
  const totp = await totpPhase();
  const argon = await argonPhase();
  console.log(JSON.stringify({ bench: 'worker', totp, argon2id: argon, cores: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)) }));
} finally {
  await queue.close().catch(() => undefined);
  queueConnection.disconnect();
  commands.disconnect();
  await redis.stop();
}
