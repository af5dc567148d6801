// The Redis keys of the tokens in links (push approvals, enrollment): a token is a credential, so
// Redis holds only its SHA-256. Shared by the stores that write them and by the results-api's
// limits, which ask whether a link is live without reading it.
import { createHash } from 'node:crypto';
import type { RedisKeys } from '@radius-mfa/contracts';

function hashLinkToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The key that exists while the approval (or denial) link carrying `token` is live. */
export function approvalTokenKey(keys: RedisKeys, token: string): string {
  return keys.approvalToken(hashLinkToken(token));
}

/** The key that exists while the enrollment link carrying `token` is live. */
export function enrollmentLinkKey(keys: RedisKeys, token: string): string {
  return keys.enrollment(hashLinkToken(token));
}
