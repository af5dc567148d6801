// Request logging without secrets: link tokens are the only credential a person holds, so the
// URL is logged with every token path segment replaced (and no query string: ?sig= is one too).
import type { FastifyRequest } from 'fastify';

/**
 * The segment after approve, deny, enroll or callback is a capability (/v1/approve/T, /v1/enroll/T/...).
 * Matched anywhere and in any case, with repeated or encoded slashes: a link that matches no route
 * (`//v1/approve/T`, a proxy's path prefix) is logged before routing all the same.
 */
const TOKEN_SEGMENT = /(\/(?:approve|deny|enroll|callback)(?:\/|%2f)+)[^/?]+/gi;

export function redactUrl(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  return path.replace(TOKEN_SEGMENT, '$1***');
}

export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
}
