// The ceiling of the design: bare BullMQ on the benchmark's Redis. A closed loop adds a job,
// a worker process takes it and publishes the result, the producer receives it.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { cpuMeter } from './process-cpu.mjs';
import { commandsPerUnit, redisMeter } from './redis-stats.mjs';
import { percentile, round } from './stats.mjs';

const workerScript = new URL('./limit-worker.mjs', import.meta.url);

/**
 * Runs bare BullMQ for `seconds` after `warmupSeconds` with `inFlight` jobs outstanding and a
 * worker of `concurrency` (the mfa-worker default, 64). Returns jobs per second, latency
 * percentiles, Redis commands per job and CPU seconds per 1,000 jobs per process.
 */
export async function measureBullmqLimit({ redisUrl, seconds = 5, warmupSeconds = 2, inFlight = 256, concurrency = 64 }) {
  const prefix = `{limit${randomBytes(4).toString('hex')}}`;
  const channel = `${prefix}:results`;
  const child = fork(workerScript, [redisUrl, prefix, String(concurrency)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queueConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('limit', {
    connection: queueConnection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 } },
  });
  const subscriber = new Redis(redisUrl);
  try {
    await once(child, 'message');
    const started = new Map();
    let completed = 0;
    let measuring = false;
    let stopping = false;
    const latencies = [];
    let nextId = 0;
    let failures = 0;
    const send = () => {
      if (stopping) return;
      const id = String(nextId++);
      started.set(id, performance.now());
      queue.add('job', { id, channel }).catch(() => {
        failures++;
        started.delete(id);
        send();
      });
    };
    subscriber.on('message', (_channel, id) => {
      const at = started.get(id);
      if (at === undefined) return;
      started.delete(id);
      if (measuring) {
        completed++;
        latencies.push(performance.now() - at);
      }
      send();
    });
    await subscriber.subscribe(channel);
    for (let i = 0; i < inFlight; i++) send();
    await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
    const redis = await redisMeter(redisUrl);
    const cpu = cpuMeter({ producer: process.pid, worker: child.pid });
    measuring = true;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    measuring = false;
    const elapsed = (performance.now() - t0) / 1000;
    const used = cpu.read();
    const redisUsed = await redis.read();
    await redis.close();
    stopping = true;
    // Let what is in flight finish, so the queue is empty before the next measurement.
    const drainDeadline = Date.now() + 10_000;
    while (started.size > 0 && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
    latencies.sort((a, b) => a - b);
    return {
      jobsPerSec: Math.round(completed / elapsed),
      jobs: completed,
      inFlight,
      workerConcurrency: concurrency,
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
      redisCommandsPerJob: round(redisUsed.total / completed),
      redisCommandsPerJobByCommand: commandsPerUnit(redisUsed.perCommand, completed),
      cpuSecondsPer1000: {
        producer: round((used.producer / completed) * 1000, 3),
        worker: round((used.worker / completed) * 1000, 3),
        redis: round((redisUsed.cpuSeconds / completed) * 1000, 3),
      },
      failures,
    };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    queueConnection.disconnect();
    subscriber.disconnect();
  }
}
