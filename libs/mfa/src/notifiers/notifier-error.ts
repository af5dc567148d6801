import type { OutboundFailure } from '../outbound-http.js';

/** A push that could not be handed over; the worker applies the client's failMode. */
export class NotifierError extends Error {
  constructor(
    /** `no-topic`: ntfy without a fixed topic, and the user's push enrollment has none. */
    readonly reason: OutboundFailure | 'config' | 'no-topic',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NotifierError';
  }
}
