import { signedWebhookHeaders } from './webhook-signature.js';

/** One outgoing JSON POST with a timeout, failing with a reason the caller can act on (failMode). */

export type OutboundFailure = 'timeout' | 'aborted' | 'network' | 'http-status';

export interface OutboundPost {
  readonly url: string;
  readonly body: unknown;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly headers?: Record<string, string>;
  /** Signs the timestamp and raw body into X-Radius-Mfa-Timestamp and X-Radius-Mfa-Signature. */
  readonly signingSecret?: string;
}

/** A configured webhook endpoint (push notifier or code sender). */
export interface WebhookEndpoint {
  readonly url: string;
  readonly signingSecret?: string;
  readonly timeoutSeconds?: number;
}

/** The POST for a webhook endpoint: its URL, its timeout (10 s by default), signed when it has a secret. */
export function webhookPost(endpoint: WebhookEndpoint, body: unknown, signal: AbortSignal | undefined): OutboundPost {
  return {
    url: endpoint.url,
    body,
    timeoutMs: (endpoint.timeoutSeconds ?? 10) * 1000,
    ...(signal && { signal }),
    ...(endpoint.signingSecret !== undefined && { signingSecret: endpoint.signingSecret }),
  };
}

export type OutboundErrorFactory = (reason: OutboundFailure, message: string, status?: number) => Error;

export async function postJson(post: OutboundPost, fail: OutboundErrorFactory): Promise<Response> {
  const body = JSON.stringify(post.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...post.headers,
    ...(post.signingSecret !== undefined && signedWebhookHeaders(body, post.signingSecret)),
  };
  const timeout = AbortSignal.timeout(post.timeoutMs);
  const signal = post.signal ? AbortSignal.any([post.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(post.url, { method: 'POST', headers, body, signal, redirect: 'error' });
  } catch (error) {
    if (timeout.aborted) throw fail('timeout', `POST ${redact(post.url)} timed out after ${post.timeoutMs} ms`);
    if (post.signal?.aborted) throw fail('aborted', `POST ${redact(post.url)} aborted`);
    throw fail('network', `POST ${redact(post.url)} failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw fail('http-status', `POST ${redact(post.url)} answered ${response.status}`, response.status);
  }
  await response.body?.cancel();
  return response;
}

/** URLs may carry credentials or tokens in their query: log the origin and path only. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
