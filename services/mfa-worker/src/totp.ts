// TOTP as the flow uses it: one verification per transaction, retry-safe (a retried job of the
// transaction that had the code accepted is told 'accepted' again; any other is a replay).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import type { MfaConfig } from '@radius-mfa/config';
import { verifyTotp, type Sealer, type TotpVerifyOutcome, type UserStore } from '@radius-mfa/mfa';

export interface TotpSettings {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly sealer: Sealer;
  readonly users: UserStore;
  readonly totp: MfaConfig['totp'];
}

/**
 * `admission`: the idempotency key (`admissionKey`): a retried job of it is accepted again.
 * `confirmed`: whether the enrolment is known to be confirmed already (saves a read); unknown when undefined.
 * `sealedSecret`: the sealed secret read with the user record, if it was (saves another).
 */
export async function checkTotpCode(settings: TotpSettings, user: string, code: string, admission: string, confirmed?: boolean, sealedSecret?: string): Promise<TotpVerifyOutcome> {
  const { totp } = settings;
  const result = await verifyTotp(settings.redis, settings.keys, user, code, {
    sealer: settings.sealer,
    digits: totp.digits,
    period: totp.period,
    window: totp.window,
    algorithm: totp.algorithm,
    maxAttempts: totp.maxAttempts,
    lockoutSeconds: totp.lockoutSeconds,
    // The first valid code after enrolment is what confirms it (the user proved the app has it).
    allowUnconfirmed: true,
    txn: admission,
    ...(sealedSecret !== undefined && { sealedSecret }),
  });
  if (result.outcome === 'accepted' && confirmed !== true) {
    const record = await settings.users.getUser(user);
    if (record?.totp && !record.totp.confirmed) await settings.users.confirmTotp(user);
  }
  return result.outcome;
}
