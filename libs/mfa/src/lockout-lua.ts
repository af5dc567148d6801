import { UserField } from './user-fields.js';

/**
 * The per-user lockout every typed code shares (TOTP, SMS and voice codes; `mfa.totp.maxAttempts`
 * and `lockoutSeconds`): wrong codes of any kind count together, and a lockout refuses them all, so
 * switching methods buys a guesser nothing. Lua functions, prepended to the scripts that use them.
 *
 * lockout_active(userKey, now)  → 'fraud' | lockedUntil (a lockout running) | false
 * lockout_fail(userKey, now, maxAttempts, lockoutMs) → lockedUntil (this failure started a lockout) or 0, failures
 * lockout_clear(userKey)        a code was accepted: the count starts again
 */
export const LOCKOUT_LUA = `
local function lockout_active(userKey, now)
  local h = redis.call('HMGET', userKey, '${UserField.fraudLockedAt}', '${UserField.lockedUntil}')
  if h[1] then return 'fraud' end
  if h[2] and tonumber(h[2]) > now then return tonumber(h[2]) end
  return false
end
local function lockout_fail(userKey, now, maxAttempts, lockoutMs)
  local failures = redis.call('HINCRBY', userKey, '${UserField.totpFailures}', 1)
  if failures >= tonumber(maxAttempts) then
    local untilMs = now + tonumber(lockoutMs)
    redis.call('HSET', userKey, '${UserField.lockedUntil}', untilMs, '${UserField.totpFailures}', 0)
    return untilMs, failures
  end
  return 0, failures
end
local function lockout_clear(userKey)
  -- Deleted, not set to 0: absent reads as zero, and no hash is created for a user without one.
  redis.call('HDEL', userKey, '${UserField.totpFailures}', '${UserField.lockedUntil}')
end
`;
