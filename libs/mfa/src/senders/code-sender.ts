import { ProviderError } from '../provider-failure.js';

/** Sends a one-time code by SMS or a voice call. */

export type CodeChannel = 'sms' | 'voice';

export interface CodeRecipient {
  readonly user: string;
  readonly phone?: string;
}

export interface CodeSender {
  sendCode(to: CodeRecipient, code: string, channel: CodeChannel, signal?: AbortSignal): Promise<void>;
}

export interface WebhookSenderConfig {
  readonly type: 'webhook';
  readonly url: string;
  readonly signingSecret?: string;
  readonly timeoutSeconds?: number;
}

/** Azure Communication Services: implemented with the Entra integration, plugged in by the caller. */
export interface AcsSenderConfig {
  readonly type: 'acs';
  readonly from: string;
}

export type CodeSenderConfig = WebhookSenderConfig | AcsSenderConfig;

/** The webhook body: what an SMS or voice gateway needs to deliver the code. */
export interface CodeWebhookPayload {
  readonly user: string;
  readonly phone: string | null;
  readonly channel: CodeChannel;
  readonly code: string;
}

/** A code that could not be handed over; `providerFailure` says whether the client's failMode applies. */
export class SenderError extends ProviderError {
  constructor(...args: ConstructorParameters<typeof ProviderError>) {
    super(...args);
    this.name = 'SenderError';
  }
}
