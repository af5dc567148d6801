import { SenderError, type AcsSenderConfig, type CodeSender, type CodeSenderConfig } from './code-sender.js';
import { createWebhookSender } from './webhook.js';

/** Senders implemented outside this lib (ACS lives with the Entra integration). */
export interface ExternalSenders {
  readonly acs?: (config: AcsSenderConfig) => CodeSender;
}

/** The sender for `mfa.sms.sender`, and for a `webhook` `mfa.voice.sender` (the same signed POST, `channel: "voice"`). */
export function createCodeSender(config: CodeSenderConfig, external: ExternalSenders = {}): CodeSender {
  switch (config.type) {
    case 'webhook':
      return createWebhookSender(config);
    case 'acs':
      if (!external.acs) throw new SenderError('config', 'the acs sender needs the Entra integration; none was provided');
      return external.acs(config);
  }
}
