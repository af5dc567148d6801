// Bearer-token check of the admin API. Both sides are hashed first so the comparison is
// constant-time whatever the given token's length.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function bearerMatches(header: string | undefined, expectedDigest: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(match?.[1] ?? '');
  // A missing token is still compared, so a refusal takes the same path either way.
  return timingSafeEqual(given, expectedDigest) && match !== null;
}

/** A preHandler hook refusing any request without the admin token (401, with the challenge scheme). */
export function adminAuthHook(adminToken: string): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = digest(adminToken);
  return async (request, reply) => {
    if (bearerMatches(request.headers.authorization, expected)) return;
    await reply.code(401).header('www-authenticate', 'Bearer realm="radius-mfa admin"').send({ error: 'unauthorized', message: 'a valid admin bearer token is required' });
  };
}
