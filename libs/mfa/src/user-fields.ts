/**
 * Field names of the `user:{name}` hash, in one place: the user store writes them and the Lua
 * scripts of TOTP verification, push limits and challenge decisions read and update them.
 */
export const UserField = {
  /** Sealed TOTP secret (base64 of the sealed bytes; AAD binds the user name). */
  totpSecret: 'totpSecret',
  totpConfirmed: 'totpConfirmed',
  totpEnrolledAt: 'totpEnrolledAt',
  /** Highest TOTP step ever accepted (RFC 6238 §5.2: a code is accepted once). */
  totpLastStep: 'totpLastStep',
  /** Admission (`txn:receivedAt`) that had `totpLastStep` accepted: its retried job is answered the same (idempotency). */
  totpLastTxn: 'totpLastTxn',
  /** Failed TOTP attempts since the last success or lockout. */
  totpFailures: 'totpFailures',
  pushEnrolledAt: 'pushEnrolledAt',
  /** JSON of a per-user notifier override. */
  pushNotifier: 'pushNotifier',
  /** Sealed ntfy topic of this user's push enrollment (base64; AAD binds the user name). */
  pushNtfyTopic: 'pushNtfyTopic',
  phone: 'phone',
  /** Unix ms until which verification is refused after too many failures. */
  lockedUntil: 'lockedUntil',
  /** Unix ms of a "this wasn't me" report; MFA stays locked until an admin unlocks. */
  fraudLockedAt: 'fraudLockedAt',
  fraudReports: 'fraudReports',
  /** Push denials in a row; reset by an approval or an unlock. */
  consecutiveDenials: 'consecutiveDenials',
} as const;

/** The AAD a user's TOTP secret is sealed with, so a sealed secret cannot be copied to another user. */
export function totpSecretAad(user: string): string {
  return `totp-secret:${user}`;
}

/** The AAD a user's ntfy topic is sealed with, so a sealed topic cannot be copied to another user. */
export function ntfyTopicAad(user: string): string {
  return `ntfy-topic:${user}`;
}
