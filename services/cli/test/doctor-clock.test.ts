// doctor's clock check against a real Redis's TIME, with this host's clock set off by a known skew.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { clockFinding, type Finding } from '../src/doctor-checks.js';

let redisServer: RedisHandle;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  await redis.ping();
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
});

/** The finding with this host's clock `hostOffsetMs` from the true time (negative: behind); only Date is faked. */
async function clockWithHostOffset(hostOffsetMs: number, period: number): Promise<Finding> {
  vi.useRealTimers();
  const now = Date.now();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now + hostOffsetMs);
  return clockFinding(redis, period);
}

/** The skew the finding reports, in ms. */
function skewIn(finding: Finding): number {
  return Number(/this host is (\d+) ms/.exec(finding.detail)?.[1]);
}

describe('doctor clock check', () => {
  it('is ok when this host and Redis agree', async () => {
    const finding = await clockWithHostOffset(0, 30);
    expect(finding.status).toBe('ok');
    expect(finding.fix).toBe('');
  });

  it('warns from 2 s of skew, saying which way', async () => {
    const behind = await clockWithHostOffset(-5_000, 30);
    expect(behind).toMatchObject({ check: 'clock', status: 'warn' });
    expect(behind.detail).toMatch(/^this host is \d+ ms behind Redis/);
    expect(skewIn(behind)).toBeCloseTo(5_000, -3);
    expect(behind.fix).toContain('NTP');
    const ahead = await clockWithHostOffset(5_000, 30);
    expect(ahead.status).toBe('warn');
    expect(ahead.detail).toMatch(/^this host is \d+ ms ahead of Redis/);
    expect(skewIn(ahead)).toBeCloseTo(5_000, -3);
  });

  it('fails from half a TOTP period of skew: codes land in the wrong window', async () => {
    const finding = await clockWithHostOffset(-20_000, 30);
    expect(finding.status).toBe('fail');
    expect(finding.detail).toContain('TOTP codes land in the wrong 30 s window');
    expect(finding.fix).toContain('NTP');
    // The same skew is only a warning with 60 s codes: the limit follows the configured period.
    expect((await clockWithHostOffset(20_000, 60)).status).toBe('warn');
  });
});
