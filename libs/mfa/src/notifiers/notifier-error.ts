import { ProviderError } from '../provider-failure.js';

/** A push that could not be handed over; `providerFailure` says whether the client's failMode applies. */
export class NotifierError extends ProviderError {
  constructor(...args: ConstructorParameters<typeof ProviderError>) {
    super(...args);
    this.name = 'NotifierError';
  }
}
