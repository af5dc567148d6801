#!/usr/bin/env node
// Child process of the `limit` benchmark: a bare BullMQ worker that processes each job by
// publishing its result on the producer's channel. Arguments: REDIS_URL PREFIX CONCURRENCY.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [url, prefix, concurrency] = process.argv.slice(2);
const publisher = new Redis(url, { maxRetriesPerRequest: 2 });
const connection = new Redis(url, { maxRetriesPerRequest: null });
const worker = new Worker(
  'limit',
  async (job) => {
    await publisher.publish(job.data.channel, job.data.id);
    return 1;
  },
  {
    connection,
    prefix,
    concurrency: Number(concurrency),
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 1000 },
  },
);
await worker.waitUntilReady();
process.send?.('ready');
process.on('SIGTERM', () => {
  void worker.close().finally(() => {
    connection.disconnect();
    publisher.disconnect();
    process.exit(0);
  });
});
