// Two ingress processes (the real `radius-mfa start --role ingress`) on one Redis: a retransmission
// that lands on the other pod joins the same transaction (one job, one push) and gets identical
// bytes; after `kill -9` of the first pod, the second answers the retransmission.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort, startRedis, type RedisHandle } from '@radius-mfa/testing';
import { Code } from '@radius-mfa/radius-protocol';
import { TestNas, accessRequest, configText, startStandInWorker, verifyReply, type StandInWorker } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface IngressProcess {
  readonly child: ChildProcess;
  readonly authPort: number;
  readonly instanceId: string;
  readonly opsPort: number;
  metric(name: string, labels: string): Promise<number>;
}

let redis: RedisHandle;
let prefix: string;
let worker: StandInWorker;
let nas: TestNas;
let dir: string;
const processes: ChildProcess[] = [];

/** Starts `radius-mfa start --role ingress` (built dist, Node 24) and waits for its listening log line. */
async function startIngressProcess(name: string): Promise<IngressProcess> {
  const opsPort = await freeTcpPort();
  const config = JSON.parse(configText(redis, prefix)) as Record<string, unknown>;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, JSON.stringify({ ...config, log: { level: 'info' }, ops: { listen: `http://127.0.0.1:${opsPort}` } }));
  const child = spawn(process.execPath, [join(root, 'node_modules/.bin/radius-mfa'), 'start', '--role', 'ingress', '--config', file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const listening = await new Promise<{ authPort: number; instanceId: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      if (!line.includes('radius-ingress listening')) return;
      clearTimeout(timer);
      const entry = JSON.parse(line) as { instance: string; addresses: { auth: { port: number }[] } };
      resolve({ authPort: entry.addresses.auth[0]!.port, instanceId: entry.instance });
    });
  });
  return {
    child,
    opsPort,
    ...listening,
    async metric(metricName, labels) {
      const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${metricName}{${labels}}`));
      return line ? Number(line.split(' ').pop()) : 0;
    },
  };
}

beforeAll(async () => {
  // The processes run the built dist (test/global-setup.ts builds it before any suite).
  dir = mkdtempSync(join(tmpdir(), 'rmfa-ingress-'));
  redis = await startRedis();
  prefix = redis.prefix();
  worker = await startStandInWorker(redis, prefix);
  nas = await TestNas.open();
}, 120_000);

afterAll(async () => {
  for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await nas?.close();
  await worker?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two ingress processes on one Redis', () => {
  it('a retransmission to the other pod joins the transaction (one job) and both answer with identical bytes', async () => {
    const [a, b] = [await startIngressProcess('a'), await startIngressProcess('b')];
    const request = accessRequest({ user: 'frank' });
    nas.send(request, a.authPort);
    const job = await worker.nextJob();
    expect(job.ingressId).toBe(a.instanceId);
    nas.send(request, b.authPort);
    await expect.poll(() => b.metric('radius_duplicates_total', 'outcome="joined"'), { timeout: 20_000 }).toBe(1);
    await worker.answer(job, Code.AccessAccept, 'one push');
    const [first, second] = [await nas.receive(), await nas.receive()];
    expect(verifyReply(first, request).code).toBe(Code.AccessAccept);
    expect(second.equals(first)).toBe(true);
    // Later retransmissions, to either pod, get the cached bytes.
    nas.send(request, b.authPort);
    expect((await nas.receive()).equals(first)).toBe(true);
    nas.send(request, a.authPort);
    expect((await nas.receive()).equals(first)).toBe(true);
    expect(worker.jobs.filter((j) => j.txn === job.txn)).toHaveLength(1);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
  });

  it('after kill -9 of the pod holding the request, the retransmission to the other pod is answered', async () => {
    const [a, b] = [await startIngressProcess('c'), await startIngressProcess('d')];
    const request = accessRequest({ user: 'grace' });
    nas.send(request, a.authPort);
    const job = await worker.nextJob();
    const exited = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGKILL');
    await exited;
    nas.send(request, b.authPort);
    await expect.poll(() => b.metric('radius_duplicates_total', 'outcome="joined"'), { timeout: 20_000 }).toBe(1);
    await worker.answer(job, Code.AccessAccept, 'survived');
    const reply = verifyReply(await nas.receive(), request);
    expect(reply.code).toBe(Code.AccessAccept);
    expect(worker.jobs.filter((j) => j.txn === job.txn)).toHaveLength(1);
    b.child.kill('SIGTERM');
  });
});
