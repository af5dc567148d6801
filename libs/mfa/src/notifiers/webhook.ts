import { postJson, webhookPost } from '../outbound-http.js';
import { NotifierError } from './notifier-error.js';
import type { PushNotification, PushNotifier, WebhookNotifierConfig } from './push-notifier.js';

/** POSTs the CONTRACT.md payload, signed with HMAC-SHA256 when a signing secret is configured. */
export function createWebhookNotifier(config: WebhookNotifierConfig): PushNotifier {
  return {
    async send(push, signal) {
      // Built field by field: whatever else the caller's object holds (a number!) never leaves.
      const payload: PushNotification = {
        challengeId: push.challengeId,
        user: push.user,
        client: push.client,
        callingStationId: push.callingStationId,
        approveUrl: push.approveUrl,
        denyUrl: push.denyUrl,
        expiresAt: push.expiresAt,
      };
      await postJson(
        webhookPost(config, payload, signal),
        (reason, message, status) => new NotifierError(reason, message, status),
      );
    },
  };
}
