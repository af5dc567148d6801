// Token buckets: per-client request admission, Status-Server answers, unknown-client log lines.

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained rate). */
  readonly perSecond: number;
  /** Bucket size: how many may pass at once after a quiet spell. */
  readonly burst: number;
}

export interface TokenBucket {
  /** Takes one token if there is one; false means over the limit. */
  take(now?: number): boolean;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const capacity = Math.max(1, options.burst);
  const perMs = options.perSecond / 1000;
  let tokens = capacity;
  let last: number | undefined;
  return {
    take(now = performance.now()) {
      // A clock that went backwards (or a caller's older timestamp) refills nothing.
      tokens = Math.min(capacity, tokens + Math.max(0, now - (last ?? now)) * perMs);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/**
 * Packets not yet verified may arrive at this multiple of the client's rateLimit (rate and burst):
 * forged packets from a spoofed NAS address below it cost the genuine NAS nothing, and decode and
 * authenticator checks stay bounded per client above it (where the NAS's own packets share the drops).
 */
export const UNVERIFIED_RATE_MULTIPLE = 10;

/** The bucket for a client's packets before decode and authenticator checks, from its rateLimit. */
export function unverifiedLimit(limit: TokenBucketOptions): TokenBucketOptions {
  return { perSecond: limit.perSecond * UNVERIFIED_RATE_MULTIPLE, burst: limit.burst * UNVERIFIED_RATE_MULTIPLE };
}

/** One bucket per key (client name), created on first use. Keys come from configuration, so the map is bounded. */
export interface KeyedRateLimiter {
  take(key: string, now?: number): boolean;
}

export function createKeyedRateLimiter(optionsFor: (key: string) => TokenBucketOptions): KeyedRateLimiter {
  const buckets = new Map<string, TokenBucket>();
  return {
    take(key, now) {
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = createTokenBucket(optionsFor(key));
        buckets.set(key, bucket);
      }
      return bucket.take(now);
    },
  };
}
