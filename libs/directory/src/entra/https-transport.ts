import { request as httpsRequest, Agent } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { EntraError } from './errors.js';

export interface HttpsResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

export interface HttpsRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * node:https with an optional pinned CA. msal-node's own client uses fetch, whose trust store
 * only grows through NODE_EXTRA_CA_CERTS at process start; a pinned CA here serves operators
 * behind TLS-inspecting proxies and tests against a local stand-in alike.
 */
export class HttpsTransport {
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: { caCertificates?: string; timeoutMs: number }) {
    this.#agent = new Agent({ keepAlive: true, ...(options.caCertificates ? { ca: options.caCertificates } : {}) });
    this.#timeoutMs = options.timeoutMs;
  }

  send(request: HttpsRequest): Promise<HttpsResponse> {
    const url = new URL(request.url);
    if (url.protocol !== 'https:') return Promise.reject(new EntraError('config', `Entra endpoints must be https: ${url.origin}`));
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    return new Promise<HttpsResponse>((resolve, reject) => {
      const outgoing = httpsRequest(
        url,
        {
          method: request.method,
          agent: this.#agent,
          headers: { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          timeout: request.timeoutMs ?? this.#timeoutMs,
          ...(request.signal ? { signal: request.signal } : {}),
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', (error) => reject(unreachable(url, error)));
          incoming.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: incoming.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${request.timeoutMs ?? this.#timeoutMs} ms`)));
      outgoing.on('error', (error) => reject(unreachable(url, error)));
      outgoing.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function unreachable(url: URL, error: Error): EntraError {
  return new EntraError('unavailable', `${url.host} unreachable: ${error.message}`, { cause: error });
}

/** Parses a Retry-After header given in seconds (Entra and Graph send seconds, not dates). */
export function retryAfterSeconds(headers: Record<string, string>): number | undefined {
  const value = Number.parseInt(headers['retry-after'] ?? '', 10);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Told about every token-endpoint answer, so msal's silent local throttling can be explained. */
export type TokenResponseObserver = (status: number, headers: Record<string, string>) => void;

/** msal-node's network module on top of the transport; msal itself runs unmodified. */
export function msalNetworkClient(transport: HttpsTransport, observe: TokenResponseObserver): INetworkModule {
  const exchange = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const response = await transport.send({ method, url, headers: options?.headers ?? {}, ...(options?.body !== undefined ? { body: options.body } : {}), ...(timeout ? { timeoutMs: timeout } : {}) });
    if (method === 'POST') observe(response.status, response.headers);
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      // A proxy's HTML error page: msal sees an empty body and the status.
      body = {};
    }
    return { status: response.status, headers: response.headers, body: body as T };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => exchange('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => exchange('POST', url, options),
  };
}
