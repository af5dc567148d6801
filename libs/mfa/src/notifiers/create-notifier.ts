import { createNtfyNotifier } from './ntfy.js';
import type { PushNotifier, PushNotifierConfig } from './push-notifier.js';
import { createWebhookNotifier } from './webhook.js';

/** The notifier for `mfa.push.notifier` (or a user's override). */
export function createNotifier(config: PushNotifierConfig): PushNotifier {
  switch (config.type) {
    case 'webhook':
      return createWebhookNotifier(config);
    case 'ntfy':
      return createNtfyNotifier(config);
  }
}
