import type { FirstFactorProvider, FirstFactorResult } from './provider.js';

/**
 * firstFactor `none`: the NAS has already checked the password (an RD Gateway's NPS
 * forwards the request with no usable one), so only the second factor remains.
 * Groups come from a companion directory when one is configured.
 */
export class NoneProvider implements FirstFactorProvider {
  readonly kind = 'none' as const;
  readonly #groups: FirstFactorProvider | undefined;

  constructor(options: { groupsFrom?: FirstFactorProvider } = {}) {
    this.#groups = options.groupsFrom;
  }

  async authenticate(request: { user: string }, context: { signal: AbortSignal }): Promise<FirstFactorResult> {
    return { outcome: 'accept', groups: await this.groupsOf(request.user, context.signal), replyAttributes: [] };
  }

  async groupsOf(user: string, signal: AbortSignal): Promise<string[]> {
    return this.#groups ? this.#groups.groupsOf(user, signal) : [];
  }

  async close(): Promise<void> {
    // Nothing held; a companion directory is closed by whoever created it.
  }
}
