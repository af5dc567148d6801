#!/usr/bin/env node
// `npm run bench -- pending [count]`: `count` (default 100,000) concurrent pending push logins
// (client `prompt: auto`: the request is held until the tap) on one ingress, one worker, one
// results-api. Figures: ingress RSS and Redis used_memory per 10,000 pending (growth over the idle
// system), and the time from bulk approval (64 phones at a time) to the last Access-Accept.
// Prints one JSON line last.
import { randomBytes } from 'node:crypto';
import { Code } from '@radius-mfa/radius-protocol';
import { answerPush } from './_lib/phone-approve.mjs';
import { processRssBytes } from './_lib/process-cpu.mjs';
import { enrollPushUsers } from './_lib/push-population.mjs';
import { startPushReceiver } from './_lib/push-receiver.mjs';
import { appendLoginAttributes, openRadiusClient } from './_lib/radius-load.mjs';
import { redisUsedMemory } from './_lib/redis-stats.mjs';
import { round } from './_lib/stats.mjs';
import { benchClient, metricValue, newSealingKey, startBenchRedis, startSystem, systemConfigYaml } from './_lib/system.mjs';
import { forEachIndex } from './_lib/user-store.mjs';
import { Redis } from 'ioredis';

const count = Number(process.argv[2] ?? 100_000);
const admitAhead = 2_000;
const secret = randomBytes(16).toString('hex');
const sealingKey = newSealingKey();
const MiB = 2 ** 20;
const log = (message) => console.error(`[pending] ${message}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const redis = await startBenchRedis();
const receiver = await startPushReceiver();
const redisInfo = new Redis(redis.url);
let system;
let client;
try {
  log(`enrolling ${count} push users`);
  await enrollPushUsers({ redisUrl: redis.url, keyPrefix: '{rmfa}', sealingKey, count, namePrefix: 'p' });
  system = await startSystem({
    configYaml: systemConfigYaml({
      redisUrl: redis.url,
      sealingKey,
      // Nothing expires while the pending set is built and approved: the longest timeouts allowed.
      clients: [benchClient(secret, { prompt: 'auto', methods: ['push'], timeoutSeconds: 600 })],
      mfa: { push: { notifier: { type: 'webhook', url: receiver.url }, timeoutSeconds: 590 } },
      radius: { maxPendingPerPod: count + 1_000 },
    }),
    roles: ['ingress', 'worker', 'results'],
  });
  const [ingress] = system.byRole('ingress');
  const target = { host: '127.0.0.1', port: ingress.ports.radius };
  client = await openRadiusClient({ secret, sockets: Math.ceil(count / 256) + 1, timeoutMs: 900_000 });
  await sleep(1_000);
  global.gc?.();
  const rssIdle = processRssBytes(ingress.pid);
  const redisIdle = await redisUsedMemory(redisInfo);

  log(`sending ${count} push logins (at most ${admitAhead} ahead of the pushes received)`);
  const answers = { accept: 0, other: 0, errors: 0 };
  let lastAnswerAt = 0;
  const buildStart = performance.now();
  let sent = 0;
  let lastLog = performance.now();
  while (sent < count) {
    if (sent - receiver.pushes.length >= admitAhead) {
      await sleep(5);
      continue;
    }
    const user = `p${sent}`;
    const ok = client.send(target, appendLoginAttributes(secret, user, ''), (result) => {
      lastAnswerAt = performance.now();
      if (result.error) answers.errors++;
      else if (result.code === Code.AccessAccept) answers.accept++;
      else answers.other++;
    });
    if (!ok) throw new Error('no free identifier');
    sent++;
    if (sent % 1000 === 0) await sleep(0);
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`${sent} sent, ${receiver.pushes.length} pushes`);
    }
  }
  await receiver.waitFor(count);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  await sleep(1_000);
  const pendingMetric = await metricValue(ingress.ports.ops, 'radius_pending_transactions');
  const rssPending = processRssBytes(ingress.pid);
  const redisPending = await redisUsedMemory(redisInfo);
  log(`${count} pending (ingress says ${pendingMetric}); approving all`);

  const approveStart = performance.now();
  const statuses = {};
  await forEachIndex(receiver.pushes.length, 64, async (i) => {
    const status = await answerPush(receiver.pushes[i]).catch(() => 'error');
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  const approvalsSeconds = (performance.now() - approveStart) / 1000;
  const answerDeadline = Date.now() + 120_000;
  while (answers.accept + answers.other + answers.errors < count && Date.now() < answerDeadline) await sleep(50);
  const allAnsweredSeconds = (lastAnswerAt - approveStart) / 1000;
  const per10k = 10_000 / count;
  const rssPeak = Math.max(rssPending, processRssBytes(ingress.pid));
  console.log(
    JSON.stringify({
      bench: 'pending',
      pending: count,
      ingressReportedPending: pendingMetric,
      pushesReceived: receiver.pushes.length,
      buildSeconds: round(buildSeconds, 1),
      ingressRssMiB: { idle: round(rssIdle / MiB, 1), pending: round(rssPending / MiB, 1), peak: round(rssPeak / MiB, 1) },
      ingressRssMiBPer10k: round(((rssPending - rssIdle) / MiB) * per10k),
      redisUsedMemoryMiB: { idle: round(redisIdle / MiB, 1), pending: round(redisPending / MiB, 1) },
      redisUsedMemoryMiBPer10k: round(((redisPending - redisIdle) / MiB) * per10k),
      approvalStatuses: statuses,
      approvalsPostedSeconds: round(approvalsSeconds, 1),
      allAnsweredSeconds: round(allAnsweredSeconds, 1),
      answeredPerSec: round(answers.accept / allAnsweredSeconds, 0),
      answers,
      goals: { ingressRssGiBAt100k: { goal: 1, met: rssPeak / 2 ** 30 <= 1 && count >= 100_000 } },
    }),
  );
} finally {
  await client?.close();
  await system?.stop();
  await receiver.close();
  redisInfo.disconnect();
  await redis.stop();
}
