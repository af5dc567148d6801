// A user's push-limit windows as the CLI shows them (users list, users unlock, explain): one wording for all three.
import type { Config } from '@radius-mfa/config';
import { DEFAULT_PUSH_LIMITS, activePushLimit, readPushLimitWindows, type PushLimitWindow } from '@radius-mfa/mfa';
import type { UserAdmin } from './user-admin.js';

export interface PushLimits {
  readonly perMinute: number;
  readonly perHour: number;
}

/** The limits the worker applies: `mfa.push.limits`, else its defaults (texts and calls share them). */
export function pushLimitsOf(config: Config): PushLimits {
  return config.mfa.push?.limits ?? DEFAULT_PUSH_LIMITS;
}

/** The full window that keeps pushes, calls and texts from being sent now, if any. */
export async function activePushLimitOf(admin: UserAdmin, user: string): Promise<PushLimitWindow | undefined> {
  return activePushLimit(await readPushLimitWindows(admin.redis, admin.keys, user), pushLimitsOf(admin.config));
}

export function retryAfterSeconds(window: PushLimitWindow): number {
  return Math.ceil(window.remainingMs / 1000);
}

/** "3 of 3 this minute (mfa.push.limits.perMinute)": what filled the window, and the key that sets its size. */
export function describeWindow(window: PushLimitWindow, limits: PushLimits): string {
  const key = window.window === 'minute' ? 'perMinute' : 'perHour';
  return `${window.count} of ${limits[key]} this ${window.window} (mfa.push.limits.${key})`;
}

/** "refused for another 39 s: 3 of 3 this minute (…)" */
export function describeActiveLimit(window: PushLimitWindow, limits: PushLimits): string {
  return `pushes, calls and texts refused for another ${retryAfterSeconds(window)} s: ${describeWindow(window, limits)}`;
}
