// TOTP as the flow uses it: one verification per transaction, retry-safe (a retried job of the
// transaction that had the code accepted is told 'accepted' again; any other is a replay), and
// the verdict delivered by the same script (one round trip for a code sign-in).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@radius-mfa/contracts';
import type { MfaConfig } from '@radius-mfa/config';
import { verifyTotpAndDeliver, type Sealer, type TotpDelivery, type TotpDeliveryResult } from '@radius-mfa/mfa';

export interface TotpSettings {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly sealer: Sealer;
  readonly totp: MfaConfig['totp'];
}

/**
 * `admission`: the idempotency key (`admissionKey`): a retried job of it is accepted again.
 * `delivery`: the transaction and the verdict of the outcome the code's match makes likely.
 * `sealedSecret`: the sealed secret read with the user record, if it was (saves a read).
 */
export async function checkTotpCode(settings: TotpSettings, user: string, code: string, admission: string, delivery: TotpDelivery, sealedSecret?: string): Promise<TotpDeliveryResult> {
  const { totp } = settings;
  return verifyTotpAndDeliver(settings.redis, settings.keys, user, code, {
    sealer: settings.sealer,
    digits: totp.digits,
    period: totp.period,
    window: totp.window,
    algorithm: totp.algorithm,
    maxAttempts: totp.maxAttempts,
    lockoutSeconds: totp.lockoutSeconds,
    // The first valid code after enrolment is what confirms it (the user proved the app has it).
    allowUnconfirmed: true,
    confirm: true,
    txn: admission,
    delivery,
    ...(sealedSecret !== undefined && { sealedSecret }),
  });
}
