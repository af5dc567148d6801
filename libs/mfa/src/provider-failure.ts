// Whether a second-factor provider (push notifier, SMS/voice sender, ACS) failed because it is
// down or because it refused this request. Only an outage may fail open (the client's failMode);
// a refusal (no topic, a 4xx for an unknown user, a malformed number, an unsealable secret) is a
// fact about this user or this deployment, and the sign-in is rejected whatever the failMode.
import type { OutboundFailure } from './outbound-http.js';
import { SealError } from './seal.js';

/** What the worker does with a failed send: `unreachable` → failMode; `refused` → Reject. */
export type ProviderFailure =
  | { readonly status: 'unreachable'; readonly error: Error }
  | { readonly status: 'refused'; readonly reason: string; readonly error: Error };

/** Why a provider error happened; `no-topic`: ntfy without a fixed topic and the user has none. */
export type ProviderErrorReason = OutboundFailure | 'config' | 'no-topic';

/** A provider error of this lib (NotifierError, SenderError). */
export class ProviderError extends Error {
  constructor(
    readonly reason: ProviderErrorReason,
    message: string,
    /** The HTTP status, for `http-status`. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  /** Network errors, timeouts (the job's deadline included), HTTP 5xx and 429: the provider is down or shedding load. */
  get isOutage(): boolean {
    switch (this.reason) {
      case 'timeout':
      case 'aborted':
      case 'network':
        return true;
      case 'http-status':
        return this.status !== undefined && (this.status >= 500 || this.status === 429);
      case 'config':
      case 'no-topic':
        return false;
    }
  }

  /** What the audit says for a refusal: `http-404`, `no-topic`, `config`. */
  get refusal(): string {
    return this.reason === 'http-status' ? `http-${this.status ?? 'error'}` : this.reason;
  }
}

/**
 * Errors of providers outside this lib (EntraError from the ACS sender and call approver) say so
 * themselves: `isOutage`, and a `code` naming the refusal.
 */
interface ExternalProviderError {
  readonly isOutage: boolean;
  readonly code: string;
}

function isExternalProviderError(error: unknown): error is Error & ExternalProviderError {
  return error instanceof Error && typeof (error as Partial<ExternalProviderError>).isOutage === 'boolean' && typeof (error as Partial<ExternalProviderError>).code === 'string';
}

/** Sorts a failed send into an outage or a refusal; anything unknown is a refusal (never fails open). */
export function providerFailure(error: unknown): ProviderFailure {
  const err = error instanceof Error ? error : new Error(String(error));
  if (error instanceof ProviderError) return error.isOutage ? { status: 'unreachable', error: err } : { status: 'refused', reason: error.refusal, error: err };
  if (isExternalProviderError(error)) return error.isOutage ? { status: 'unreachable', error: err } : { status: 'refused', reason: error.code, error: err };
  if (error instanceof SealError) return { status: 'refused', reason: 'unsealable', error: err };
  return { status: 'refused', reason: 'error', error: err };
}
