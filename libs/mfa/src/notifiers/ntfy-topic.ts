import { randomBytes } from 'node:crypto';
import type { PushNotifierConfig } from './push-notifier.js';

/**
 * A person's own ntfy topic. On ntfy a topic name is the only secret: whoever knows it can
 * subscribe, read every push and tap Approve. A guessable one (`radius-mfa-alice`) lets anyone
 * with alice's password approve their own sign-in, so each push enrollment gets a random one.
 */

/** Random bytes of a topic: 192 bits, 32 base64url characters (ntfy allows [-_A-Za-z0-9]{1,64}). */
const NTFY_TOPIC_BYTES = 24;

export function generateNtfyTopic(): string {
  return randomBytes(NTFY_TOPIC_BYTES).toString('base64url');
}

/**
 * Whether pushes to this notifier (a user's override, or else the configured one) go to the
 * user's own topic: ntfy without an operator's fixed `topic`.
 */
export function usesPersonalNtfyTopic(notifier: PushNotifierConfig | undefined): boolean {
  return notifier?.type === 'ntfy' && notifier.topic === undefined;
}
