import { setTimeout as delay } from 'node:timers/promises';
import { EntraError } from './errors.js';
import { retryAfterSeconds } from './https-transport.js';
import { ENTRA_DEFAULTS } from './options.js';
import type { EntraTokenProvider } from './token-provider.js';

export interface GraphCall {
  method: 'GET' | 'POST';
  /** After `/v1.0`, query included. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The application permission this call needs, named in the error when Graph answers 403. */
  permission: string;
  signal?: AbortSignal;
}

/**
 * Microsoft Graph over the shared transport with client-credentials tokens. 429: a short
 * Retry-After is waited out once; a longer one fails fast as `throttled` and keeps failing
 * fast until it has passed, so Graph is not hammered. 5xx and network errors: `unavailable`.
 */
export class GraphClient {
  readonly #tokens: EntraTokenProvider;
  readonly #maxRetryWaitMs: number;
  #blockedUntil = 0;

  constructor(tokens: EntraTokenProvider) {
    this.#tokens = tokens;
    this.#maxRetryWaitMs = tokens.options.maxRetryWaitMs ?? ENTRA_DEFAULTS.maxRetryWaitMs;
  }

  /** The JSON body, or undefined on 404. */
  async call<T>(call: GraphCall): Promise<T | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      const waitMs = this.#blockedUntil - Date.now();
      if (waitMs > 0) {
        throw new EntraError('throttled', `Graph asked for a pause (429 Retry-After); ${Math.ceil(waitMs / 1000)} s left`, { retryAfterSeconds: Math.ceil(waitMs / 1000) });
      }
      const token = await this.#tokens.graphToken();
      const response = await this.#tokens.transport.send({
        method: call.method,
        url: `${this.#tokens.graphEndpoint}/v1.0${call.path}`,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        ...(call.signal ? { signal: call.signal } : {}),
      });
      if (response.status >= 200 && response.status < 300) return parseJson<T>(response.text);
      if (response.status === 404) return undefined;
      const message = graphErrorMessage(response.text);
      if (response.status === 401 && attempt === 0) {
        this.#tokens.forget(`${this.#tokens.graphEndpoint}/.default`);
        continue;
      }
      if (response.status === 403) {
        throw new EntraError('permission-missing', `Graph refused ${call.method} ${call.path.split('?')[0]} (403 ${message}): the app registration ${this.#tokens.options.clientId} needs the application permission ${call.permission}, with admin consent`);
      }
      if (response.status === 429) {
        const seconds = retryAfterSeconds(response.headers) ?? 1;
        if (attempt === 0 && seconds * 1000 <= this.#maxRetryWaitMs && !call.signal?.aborted) {
          await delay(seconds * 1000, undefined, call.signal ? { signal: call.signal } : {});
          continue;
        }
        this.#blockedUntil = Date.now() + seconds * 1000;
        throw new EntraError('throttled', `Graph throttled the app (429), Retry-After ${seconds} s`, { retryAfterSeconds: seconds });
      }
      if (response.status >= 500) throw new EntraError('unavailable', `Graph unavailable (${response.status} ${message})`);
      throw new EntraError('protocol', `Graph refused ${call.method} ${call.path.split('?')[0]} (${response.status} ${message})`);
    }
  }
}

function parseJson<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new EntraError('protocol', 'Graph answered with something that is not JSON', { cause: error });
  }
}

function graphErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return [body.error?.code, body.error?.message].filter(Boolean).join(': ');
  } catch {
    return text.slice(0, 200);
  }
}
