// Every benchmark still runs: `npm run bench -- NAME` with tiny arguments, through the same runner,
// and its JSON line holds what BENCHMARKS.md and docs/benchmarks.md read from it. Nothing here is
// timed: the assertions are about correctness (every login answered and verified, one push per
// login, identical bytes), never about speed, which only `npm run bench` measures.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const runner = fileURLToPath(new URL('../bench/run.mjs', import.meta.url));

type Json = Record<string, unknown>;

/** Runs one benchmark as `npm run bench -- name ...args` does; its exit status and its last stdout line, parsed. */
async function bench(name: string, args: string[]): Promise<{ status: number | null; json: Json; stderr: string }> {
  const child = spawn(process.execPath, [runner, name, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  let json: Json = {};
  try {
    json = JSON.parse(last) as Json;
  } catch {
    // Left empty: the assertions below name what is missing, with stderr's tail.
  }
  return { status, json, stderr: stderr.slice(-2_000) };
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);

describe('benchmarks run (smoke, tiny arguments)', () => {
  it('pipeline: every login accepted and verified; the limit, the ceiling and the goals reported', async () => {
    const { status, json, stderr } = await bench('pipeline', ['1', '40000']);
    expect(status, stderr).toBe(0);
    expect(json['bench']).toBe('pipeline');
    expect(num(json['authPerSec'])).toBeGreaterThan(0);
    for (const phase of ['peakCounts', 'halfRateCounts'] as const) {
      expect(json[phase], phase).toMatchObject({ reject: 0, challenge: 0, timeout: 0, unverified: 0, exhausted: 0 });
    }
    const cpu = json['cpuSecondsPer1000Logins'] as Json;
    // results-api has nothing to do in a TOTP login: its share may round to 0.
    expect(num(cpu['results'])).toBeGreaterThanOrEqual(0);
    for (const role of ['ingress', 'worker', 'generator', 'redis']) expect(num(cpu[role]), role).toBeGreaterThan(0);
    // The pipeline runs BullMQ's commands and its own: more per login than bare BullMQ per job.
    expect(num(json['redisCommandsPerAuth'])).toBeGreaterThan(num((json['limit'] as Json)['redisCommandsPerJob']));
    expect((json['limit'] as Json)['failures']).toBe(0);
    const ceiling = json['ceiling'] as Json;
    for (const key of ['coresBusy', 'authPerSecIfOnlyBullmq', 'pipelineToLimitIfOnlyBullmq', 'extraCpuPer1000ForRatioGoal', 'extraCpuPer1000Spent', 'extraRedisCpuPer1000']) {
      expect(Number.isFinite(num(ceiling[key])), key).toBe(true);
    }
    expect(json['goals']).toMatchObject({
      authPerSec: { goal: 10_000, met: expect.any(Boolean), reachableHere: expect.any(Boolean) },
      pipelineToLimit: { goal: 0.6, met: expect.any(Boolean) },
      p99MsAtHalfPeak: { goal: 10, met: expect.any(Boolean) },
    });
  }, 240_000);

  it('retransmit: three ingresses, every request sent four times: one push per login, identical bytes', async () => {
    const { status, json, stderr } = await bench('retransmit', ['60', '20']);
    expect(status, stderr).toBe(0);
    expect(json).toMatchObject({ bench: 'retransmit', logins: 60, ingresses: 3, pushesPerLogin: 1, identicalBytesRate: 1, acceptRate: 1, unanswered: 0, unverified: 0 });
  }, 240_000);

  it('pending: every pending push login answered Accept after bulk approval; memory per 10,000 reported', async () => {
    const { status, json, stderr } = await bench('pending', ['1000']);
    expect(status, stderr).toBe(0);
    expect(json).toMatchObject({ bench: 'pending', pending: 1000, ingressReportedPending: 1000, pushesReceived: 1000, approvalStatuses: { '200': 1000 }, answers: { accept: 1000, other: 0, errors: 0 } });
    expect(num(json['ingressRssMiBPer10k'])).not.toBeNaN();
    expect(num(json['redisUsedMemoryMiBPer10k'])).toBeGreaterThan(0);
  }, 240_000);

  it('limit: bare BullMQ completes every job', async () => {
    const { status, json, stderr } = await bench('limit', ['1']);
    expect(status, stderr).toBe(0);
    expect(json).toMatchObject({ bench: 'limit', failures: 0 });
    expect(num(json['jobsPerSec'])).toBeGreaterThan(0);
  }, 120_000);

  it('an unknown benchmark is refused with the list of the available ones', async () => {
    const { status, stderr } = await bench('no-such-bench', []);
    expect(status).toBe(2);
    expect(stderr).toContain('available: ');
    expect(stderr).toContain('pipeline');
  });
});
