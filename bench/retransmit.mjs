#!/usr/bin/env node
// `npm run bench -- retransmit [logins] [concurrency]`: three ingress processes, one worker, one
// results-api. Each push login (client `prompt: auto`) is sent to a random ingress and
// retransmitted three times, identical bytes, to random ingresses: twice while it waits for the
// person, once after it was answered. The fake phone approves each push once.
// Figures: pushes per login (must be exactly 1.00) and the share of logins whose every reply
// was byte-identical (must be 1.00). Prints one JSON line last.
import { randomBytes } from 'node:crypto';
import { startFakePhone } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { enrollPushUsers } from './_lib/push-population.mjs';
import { openLogin } from './_lib/single-login.mjs';
import { answerPush } from './_lib/phone-approve.mjs';
import { round } from './_lib/stats.mjs';
import { benchClient, newSealingKey, startBenchRedis, startSystem, systemConfigYaml } from './_lib/system.mjs';

const logins = Number(process.argv[2] ?? 2_000);
const concurrency = Number(process.argv[3] ?? 100);
const secret = randomBytes(16).toString('hex');
const sealingKey = newSealingKey();
const log = (message) => console.error(`[retransmit] ${message}`);
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const redis = await startBenchRedis();
const phone = await startFakePhone();
let system;
try {
  await enrollPushUsers({ redisUrl: redis.url, keyPrefix: '{rmfa}', sealingKey, count: logins });
  system = await startSystem({
    configYaml: systemConfigYaml({
      redisUrl: redis.url,
      sealingKey,
      clients: [benchClient(secret, { prompt: 'auto', methods: ['push'] })],
      mfa: { push: { notifier: { type: 'webhook', url: phone.pushUrl }, timeoutSeconds: 45 } },
    }),
    roles: ['ingress', 'ingress', 'ingress', 'worker', 'results'],
  });
  const ports = system.byRole('ingress').map((p) => p.ports.radius);

  // Each push is approved once its login's pending retransmissions were sent.
  const retransmitted = new Map();
  const approvals = [];
  let approving = true;
  const approver = (async () => {
    while (approving) {
      const push = await phone.nextPush(1_000).catch(() => undefined);
      if (!push) continue;
      approvals.push(
        (async () => {
          await retransmitted.get(push.user);
          const status = await answerPush(push).catch((error) => String(error));
          if (status !== 200) log(`approve ${push.user}: ${status}`);
        })(),
      );
    }
  })();

  const outcomes = { accepted: 0, identical: 0, unanswered: 0, unverified: 0, replies: 0 };
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < logins) {
      const user = `p${next++}`;
      const login = await openLogin({ secret, user, password: '' });
      let markSent;
      retransmitted.set(user, new Promise((resolve) => (markSent = resolve)));
      login.send(pick(ports));
      await sleep(50);
      login.send(pick(ports));
      await sleep(50);
      login.send(pick(ports));
      markSent();
      const first = await login.nextReply(30_000, 0);
      if (first) {
        // The third retransmission, after the answer: served from the shared response cache.
        const count = login.replies.length;
        login.send(pick(ports));
        await login.nextReply(5_000, count);
        await sleep(20);
      }
      const replies = login.replies;
      outcomes.replies += replies.length;
      if (replies.length === 0) outcomes.unanswered++;
      else if (replies.some((r) => r.error)) outcomes.unverified++;
      else {
        if (replies[0].code === Code.AccessAccept) outcomes.accepted++;
        if (replies.every((r) => r.bytes.equals(replies[0].bytes))) outcomes.identical++;
      }
      retransmitted.delete(user);
      await login.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = (performance.now() - start) / 1000;
  approving = false;
  await approver;
  await Promise.all(approvals);
  // Late pushes (a second push would be a bug) have had the whole run to arrive; wait a little more.
  await sleep(1_000);
  const pushesPerLogin = phone.pushes.length / logins;
  const identicalBytesRate = outcomes.identical / logins;
  console.log(
    JSON.stringify({
      bench: 'retransmit',
      logins,
      concurrency,
      ingresses: ports.length,
      sendsPerLogin: 4,
      pushesPerLogin: round(pushesPerLogin, 4),
      identicalBytesRate: round(identicalBytesRate, 4),
      acceptRate: round(outcomes.accepted / logins, 4),
      repliesPerLogin: round(outcomes.replies / logins),
      unanswered: outcomes.unanswered,
      unverified: outcomes.unverified,
      loginsPerSec: round(logins / elapsed, 1),
      goals: { pushesPerLogin: { goal: 1, met: pushesPerLogin === 1 }, identicalBytesRate: { goal: 1, met: identicalBytesRate === 1 } },
    }),
  );
} finally {
  await system?.stop();
  await phone.close();
  await redis.stop();
}
