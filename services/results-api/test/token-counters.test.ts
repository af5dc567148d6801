// The token routes' counters count alike in Redis (one script, every pod) and in memory (tests):
// a token's uses, an address's misses, the refusal of a spent address, and the windows' end.
import { describe, expect, it } from 'vitest';
import type { HttpRateLimits } from '@radius-mfa/results-api';
import { memoryTokenCounters, redisTokenCounters, type TokenLimitCounters } from '../src/plugins/token-counters.js';
import { useResultsSuite } from './harness.js';

const WINDOW_MS = 1_000;
const LIMITS: HttpRateLimits = {
  perToken: { max: 2, timeWindowMs: WINDOW_MS },
  unknownTokensPerAddress: { max: 2, timeWindowMs: WINDOW_MS },
  adminPerAddress: { max: 1, timeWindowMs: WINDOW_MS },
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('token limit counters', () => {
  const suite = useResultsSuite();

  const kinds: [string, () => TokenLimitCounters][] = [
    ['redis', () => redisTokenCounters(suite.redis, suite.keys.rate('http', ''), LIMITS)],
    ['memory', () => memoryTokenCounters(LIMITS, Date.now, async (key) => (await suite.redis.exists(key)) === 1)],
  ];

  describe.each(kinds)('%s', (_kind, create) => {
    it('counts a token’s uses to its limit, then refuses it until its window ends', async () => {
      const counters = create();
      const admitted = [];
      for (let i = 0; i < 3; i += 1) admitted.push(await counters.admit(`192.0.2.${i}`, 'token-a'));
      expect(admitted.slice(0, 2)).toEqual([{ refused: false }, { refused: false }]);
      expect(admitted[2]).toMatchObject({ refused: true });
      const retryAfterMs = (admitted[2] as { retryAfterMs: number }).retryAfterMs;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
      // Another token has a budget of its own.
      expect(await counters.admit('192.0.2.0', 'token-b')).toEqual({ refused: false });
      await sleep(WINDOW_MS + 50);
      expect(await counters.admit('192.0.2.0', 'token-a')).toEqual({ refused: false });
    });

    it('refuses an address that has spent its misses without counting the token it names', async () => {
      const counters = create();
      await counters.chargeMiss('198.51.100.1');
      expect(await counters.admit('198.51.100.1', 'token-c')).toEqual({ refused: false });
      await counters.chargeMiss('198.51.100.1');
      const refused = await counters.admit('198.51.100.1', 'token-c');
      expect(refused).toMatchObject({ refused: true });
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
      // The refusal did not use token-c: one use is left of its two.
      expect(await counters.admit('198.51.100.2', 'token-c')).toEqual({ refused: false });
      expect(await counters.admit('198.51.100.2', 'token-c')).toMatchObject({ refused: true });
      await sleep(WINDOW_MS + 50);
      expect(await counters.admit('198.51.100.1', 'token-d')).toEqual({ refused: false });
    });

    it('serves a live link from an address past its misses (a NAT shared with the sender of junk), still within its own budget', async () => {
      const counters = create();
      const live = `${suite.keys.prefix}:approval:live-${Math.random()}`;
      const gone = `${suite.keys.prefix}:approval:gone-${Math.random()}`;
      await suite.redis.set(live, 'challenge', 'PX', 60_000);
      await counters.chargeMiss('198.51.100.9');
      await counters.chargeMiss('198.51.100.9');
      // Past its misses: a link whose key is gone, or a request naming no key, is refused uncounted.
      expect(await counters.admit('198.51.100.9', 'token-e', gone)).toMatchObject({ refused: true });
      expect(await counters.admit('198.51.100.9', 'token-e')).toMatchObject({ refused: true });
      // The live link is served, and counted against its own budget of two.
      expect(await counters.admit('198.51.100.9', 'token-f', live)).toEqual({ refused: false });
      expect(await counters.admit('198.51.100.9', 'token-f', live)).toEqual({ refused: false });
      expect(await counters.admit('198.51.100.9', 'token-f', live)).toMatchObject({ refused: true });
      // token-e's refusals used none of its budget.
      expect(await counters.admit('198.51.100.10', 'token-e', gone)).toEqual({ refused: false });
      expect(await counters.admit('198.51.100.10', 'token-e', gone)).toEqual({ refused: false });
    });
  });

  it('counters in memory without a way to look a link up refuse every link from an address past its misses', async () => {
    const counters = memoryTokenCounters(LIMITS);
    const live = `${suite.keys.prefix}:approval:live-${Math.random()}`;
    await suite.redis.set(live, 'challenge', 'PX', 60_000);
    await counters.chargeMiss('198.51.100.11');
    await counters.chargeMiss('198.51.100.11');
    expect(await counters.admit('198.51.100.11', 'token-g', live)).toMatchObject({ refused: true });
  });
});
