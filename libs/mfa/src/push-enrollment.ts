import { usesPersonalNtfyTopic } from './notifiers/ntfy-topic.js';
import type { PushNotifierConfig } from './notifiers/push-notifier.js';
import type { UserStore } from './user-store.js';

/** Where the person subscribes in the ntfy app: their own topic on this server. */
export interface NtfySubscription {
  readonly url: string;
  readonly topic: string;
}

/**
 * Enrolls a user for push the one way every entry point does (admin API, enrollment page, CLI):
 * when their pushes go to ntfy without an operator's fixed topic, a fresh random topic is minted
 * and returned, to be shown to that person only (it is what lets them approve).
 */
export async function enrollPushFor(
  users: Pick<UserStore, 'enrollPush'>,
  name: string,
  configured: PushNotifierConfig | undefined,
  override?: PushNotifierConfig,
  /** `ifAbsent`: an enrollment link, which never replaces an existing push enrollment (AlreadyEnrolledError). */
  options: { readonly ifAbsent?: boolean } = {},
): Promise<{ readonly ntfy?: NtfySubscription }> {
  const effective = override ?? configured;
  const enrolled = await users.enrollPush(name, { ...(override && { notifier: override }), ntfyTopic: usesPersonalNtfyTopic(effective), ...(options.ifAbsent && { ifAbsent: true }) });
  if (enrolled.ntfyTopic === undefined || effective === undefined) return {};
  return { ntfy: { url: effective.url, topic: enrolled.ntfyTopic } };
}
