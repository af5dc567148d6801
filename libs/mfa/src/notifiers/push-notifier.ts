/** What every push notifier sends and how it fails. */

/** The CONTRACT.md webhook payload, exactly. It never carries the number to match. */
export interface PushNotification {
  readonly challengeId: string;
  readonly user: string;
  readonly client: string;
  readonly callingStationId: string;
  readonly approveUrl: string;
  readonly denyUrl: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** What a notifier may know beyond the payload, to pick its buttons; never sent as such. */
export interface PushSendHints {
  /** The approval needs the number from the sign-in screen, so a one-tap Approve cannot work. */
  readonly numberMatching?: boolean;
  /** The user's own ntfy topic from their push enrollment (sealed in the user record). */
  readonly ntfyTopic?: string;
}

export interface PushNotifier {
  send(push: PushNotification, signal?: AbortSignal, hints?: PushSendHints): Promise<void>;
}

export interface WebhookNotifierConfig {
  readonly type: 'webhook';
  readonly url: string;
  readonly signingSecret?: string;
  readonly timeoutSeconds?: number;
}

export interface NtfyNotifierConfig {
  readonly type: 'ntfy';
  /** Base URL of the ntfy server, e.g. https://ntfy.example.com. */
  readonly url: string;
  /**
   * An operator's fixed topic for every push (everyone subscribed sees every push). Without it,
   * each user's own random topic from their push enrollment (`PushSendHints.ntfyTopic`).
   */
  readonly topic?: string;
  readonly token?: string;
  readonly timeoutSeconds?: number;
}

export type PushNotifierConfig = WebhookNotifierConfig | NtfyNotifierConfig;
