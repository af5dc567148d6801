import { DEFAULT_KEY_PREFIX } from './queues.js';

/** Builders for every Redis key the product writes; the one place key names are spelled. */
export interface RedisKeys {
  readonly prefix: string;
  /** Hash: status, waiting ingress ids, cached response bytes. Lifetime: NAS timeout + margin. */
  txn(txnId: string): string;
  /** Set of ingress ids waiting on a transaction. */
  txnWaiters(txnId: string): string;
  /** Hash: an out-of-band challenge (user, method, number to match, status, txn ids). */
  challenge(challengeId: string): string;
  /** Sorted set of pending challenge ids scored by expiry (admin listing, metrics). */
  pendingChallenges(): string;
  /** String: challenge id for a SHA-256 of an approval token (tokens are stored hashed). */
  approvalToken(tokenHash: string): string;
  /** Hash: Access-Challenge continuation for a State value (hex); single use. */
  state(stateHex: string): string;
  /** Hash: a user's enrollments (secrets sealed), lockout, push limits. */
  user(name: string): string;
  /** Set of enrolled user names (for listing). */
  users(): string;
  /** Last TOTP step accepted for a user (replay protection). */
  totpLastStep(name: string): string;
  /** Rate-limit counters, e.g. rate('push-min', user). */
  rate(kind: string, subject: string): string;
  /** Enrollment link: hash of the token -> user. */
  enrollment(tokenHash: string): string;
  /** String: the sealed token of the enrollment link a sign-in (`unenrolled: enroll`) last sent a user; reused while valid. */
  signInEnrollmentLink(name: string): string;
  /** Stream of audit events (capped). */
  audit(): string;
  /** Pub/sub channel on which an ingress receives the responses it must send. */
  ingressChannel(ingressId: string): string;
  /** String: the challenge id created for a transaction (a retried job never sends a second push). */
  challengeByTxn(txnId: string): string;
  /** Hash: a one-time SMS/voice code, stored hashed; single use, short-lived. */
  otpCode(codeId: string): string;
  /** String: the code id issued for a transaction (a retried job never texts or calls a second code). */
  otpCodeByTxn(txnId: string): string;
}

export function redisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  const k = (...parts: string[]): string => [prefix, ...parts].join(':');
  return {
    prefix,
    txn: (id) => k('txn', id),
    txnWaiters: (id) => k('txn', id, 'waiters'),
    challenge: (id) => k('chal', id),
    pendingChallenges: () => k('chal', 'pending'),
    approvalToken: (hash) => k('approval', hash),
    state: (hex) => k('state', hex),
    user: (name) => k('user', name),
    users: () => k('users'),
    totpLastStep: (name) => k('user', name, 'totp-step'),
    rate: (kind, subject) => k('rate', kind, subject),
    enrollment: (hash) => k('enroll', hash),
    signInEnrollmentLink: (name) => k('user', name, 'enroll-link'),
    audit: () => k('audit'),
    ingressChannel: (id) => k('ingress', id),
    challengeByTxn: (id) => k('chal', 'txn', id),
    otpCode: (id) => k('otp', id),
    otpCodeByTxn: (id) => k('otp', 'txn', id),
  };
}
