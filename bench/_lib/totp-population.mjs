// A population of TOTP users for load: enrolled in bulk with known secrets, and a chooser that
// never presents a code twice (the worker's replay protection would refuse it, RFC 6238 §5.2).
import { createHmac } from 'node:crypto';
import { generateHotp, totpStep } from '@radius-mfa/mfa';
import { forEachIndex, withUserStore } from './user-store.mjs';

const PERIOD = 30;

/** A user's secret, derived from the run's seed so nothing per user needs keeping. */
export function userSecret(seed, index) {
  return createHmac('sha256', seed).update(String(index)).digest().subarray(0, 20);
}

export function userName(index) {
  return `u${index}`;
}

/** Enrolls `count` confirmed TOTP users `u0..` through the product's user store. */
export async function enrollTotpUsers({ redisUrl, keyPrefix, sealingKey, clusterNodes, seed, count, concurrency = 2_000 }) {
  await withUserStore({ redisUrl, keyPrefix, sealingKey, clusterNodes }, (store) =>
    forEachIndex(count, concurrency, (i) => store.enrollTotp(userName(i), { secret: userSecret(seed, i), confirmed: true })),
  );
}

/**
 * Chooses logins: each user's next code is for the step after the last one it used, within
 * [now + earliest, now + latest] steps: the current or the next one by default (inside
 * radius-mfa's ±1 window, so a code never expires in flight); rlm_totp looks back only, so
 * FreeRADIUS gets the previous or the current one. `next()` gives { user, code } or undefined
 * while every user waits for the next step.
 */
export function totpChooser({ seed, count, earliest = 0, latest = 1 }) {
  const lastStep = new Float64Array(count).fill(-1);
  let cursor = 0;
  let exhaustedAt = -1;
  return {
    next() {
      const now = totpStep(Date.now() / 1000, PERIOD);
      if (now === exhaustedAt) return undefined;
      for (let tries = 0; tries < count; tries++) {
        const index = cursor;
        cursor = (cursor + 1) % count;
        const step = Math.max(lastStep[index] + 1, now + earliest);
        if (step > now + latest) continue;
        lastStep[index] = step;
        return { user: userName(index), code: generateHotp(userSecret(seed, index), step, 6, 'SHA1') };
      }
      exhaustedAt = now;
      return undefined;
    },
  };
}
