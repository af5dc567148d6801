import { postJson, webhookPost } from '../outbound-http.js';
import { SenderError, type CodeSender, type CodeWebhookPayload, type WebhookSenderConfig } from './code-sender.js';

/** POSTs the code to an SMS/voice gateway, signed like the push webhook. */
export function createWebhookSender(config: WebhookSenderConfig): CodeSender {
  return {
    async sendCode(to, code, channel, signal) {
      const payload: CodeWebhookPayload = { user: to.user, phone: to.phone ?? null, channel, code };
      await postJson(
        webhookPost(config, payload, signal),
        (reason, message, status) => new SenderError(reason, message, status),
      );
    },
  };
}
