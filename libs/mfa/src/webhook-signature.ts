import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Outgoing webhooks are signed so the receiver can tell them from forgeries, and the signature
 * covers a timestamp so a captured request cannot be replayed later: the receiver checks
 * `sha256=HEX(HMAC-SHA256(secret, "<timestamp>.<raw body>"))` and that the timestamp is within
 * its tolerance of its own clock.
 */

export const SIGNATURE_HEADER = 'X-Radius-Mfa-Signature';
export const TIMESTAMP_HEADER = 'X-Radius-Mfa-Timestamp';
/** How far a receiver accepts the signed timestamp from its own clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

type HeaderValue = string | readonly string[] | undefined;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`; the timestamp is Unix seconds. */
export function signWebhookBody(body: string | Buffer, secret: string, timestamp: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Both headers of a signed webhook sent at `nowSeconds` (Unix seconds). */
export function signedWebhookHeaders(body: string | Buffer, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { [SIGNATURE_HEADER]: signWebhookBody(body, secret, nowSeconds), [TIMESTAMP_HEADER]: String(nowSeconds) };
}

export interface WebhookSignatureCheck {
  /** The `X-Radius-Mfa-Signature` header as received. */
  readonly signature: HeaderValue;
  /** The `X-Radius-Mfa-Timestamp` header as received. */
  readonly timestamp: HeaderValue;
  /** Seconds either way; SIGNATURE_TOLERANCE_SECONDS by default. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock in Unix seconds; now by default. */
  readonly nowSeconds?: number;
}

/**
 * For receivers (and the fake phone): true only for the exact signature of these bytes at a
 * timestamp within the tolerance. Compared in constant time.
 */
export function verifyWebhookSignature(body: string | Buffer, check: WebhookSignatureCheck, secret: string): boolean {
  const { signature, timestamp } = check;
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return false;
  const signedAt = Number(timestamp);
  const now = check.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - signedAt) > (check.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signWebhookBody(body, secret, signedAt), 'ascii');
  const given = Buffer.from(signature.trim(), 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
