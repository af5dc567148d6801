// Enrollment through a single-use link: the page, TOTP (QR code, then a first code confirms it)
// and push. The link ends when an enrollment is confirmed.
import QRCode from 'qrcode';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AlreadyEnrolledError, base32Encode, enrollmentLinkKey, enrollPushFor, ENROLLMENT_ROUTE, otpauthUri, verifyTotp, type EnrollmentLink, type EnrollmentMethod, type UserRecord } from '@radius-mfa/mfa';
import type { ResultsDependencies } from '../dependencies.js';
import { renderGonePage } from '../pages/approval-page.js';
import { renderEnrollmentPage } from '../pages/enrollment-page.js';
import { PushEnrolled } from './push-enrolled.js';
import { tokenLimited } from '../plugins/token-limits.js';

const TokenParams = Type.Object({ token: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }) });
const Problem = Type.Object({ error: Type.String(), message: Type.String() });
const Enrolled = Type.Object({ enrolled: Type.Union([Type.Literal('totp'), Type.Literal('push')]) });
const TotpIssued = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for typing in by hand.' }),
  otpauthUri: Type.String(),
  qrSvg: Type.String({ description: 'The otpauth URI as an SVG QR code.' }),
});

const GONE = { error: 'not-found', message: 'this enrollment link is invalid, expired or already used' } as const;
const ALREADY = { error: 'already-enrolled', message: 'this factor is set up already; to replace it, ask your help desk' } as const;

/**
 * The methods this link may still enroll: never one the user has (a link never replaces a factor:
 * whoever holds it, a thief with the password included, would take the sign-in over). A TOTP
 * secret this link issued and nobody confirmed yet is the link's own, shown again.
 */
function openMethods(link: EnrollmentLink, user: UserRecord | undefined): EnrollmentMethod[] {
  return link.methods.filter((method) => (method === 'totp' ? user?.totp === undefined || (link.totpIssued && !user.totp.confirmed) : user?.push === undefined));
}

export const enrollmentRoutes: FastifyPluginAsyncTypebox<{ deps: ResultsDependencies; publicUrl: string }> = async (app, { deps }) => {
  const liveEnrollmentLink = (token: string): string => enrollmentLinkKey(deps.keys, token);
  const { users, enrollmentLinks, config } = deps;
  const totp = config.mfa.totp;

  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get(ENROLLMENT_ROUTE, {
    config: tokenLimited('token', liveEnrollmentLink),
    schema: { summary: 'The enrollment page', tags: ['enrollment'], params: TokenParams, produces: ['text/html'] },
    handler: async (request, reply) => {
      reply.type('text/html; charset=utf-8');
      const link = await enrollmentLinks.get(request.params.token);
      if (!link) return reply.code(404).send(renderGonePage('Set up sign-in verification', 'This link is invalid, expired or already used.'));
      const methods = openMethods(link, await users.getUser(link.user));
      if (methods.length === 0) return reply.code(409).send(renderGonePage('Set up sign-in verification', 'Sign-in verification is set up already. To replace it, ask your help desk.'));
      return reply.send(renderEnrollmentPage({ ...link, methods }));
    },
  });

  app.post(`${ENROLLMENT_ROUTE}/totp`, {
    config: tokenLimited('token', liveEnrollmentLink),
    schema: {
      summary: 'Issue (or show again) the TOTP secret of this link',
      tags: ['enrollment'],
      params: TokenParams,
      body: Type.Object({}, { additionalProperties: false }),
      response: { 200: TotpIssued, 404: Problem, 409: Problem },
    },
    handler: async (request, reply) => {
      const { token } = request.params;
      const link = await enrollmentLinks.get(token);
      if (!link?.methods.includes('totp')) return reply.code(404).send(GONE);
      // Reopening the page shows the secret already issued, so a scanned QR code stays valid.
      const existing = link.totpIssued ? await users.getTotpSecret(link.user) : undefined;
      if (existing?.confirmed) {
        // Confirmed since this link issued it (a first code at sign-in): the enrollment is done and the
        // link with it. Issuing again would let whoever holds the link replace a secret in use.
        existing.secret.fill(0);
        await enrollmentLinks.consume(token);
        return reply.code(404).send(GONE);
      }
      let issued: { secret: string; otpauthUri: string };
      if (existing && !existing.confirmed) {
        issued = { secret: base32Encode(existing.secret), otpauthUri: otpauthUri({ ...totp, account: link.user, secret: existing.secret }) };
        existing.secret.fill(0);
      } else {
        try {
          // Only where the user has no secret: one from the admin or another link stays.
          issued = await users.enrollTotp(link.user, { confirmed: false, ifAbsent: true });
        } catch (error) {
          if (error instanceof AlreadyEnrolledError) return reply.code(409).send(ALREADY);
          throw error;
        }
        await enrollmentLinks.markTotpIssued(token);
      }
      const qrSvg = await QRCode.toString(issued.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return reply.send({ ...issued, qrSvg });
    },
  });

  app.post(`${ENROLLMENT_ROUTE}/totp/confirm`, {
    config: tokenLimited('token', liveEnrollmentLink),
    schema: {
      summary: 'Confirm the TOTP enrollment with a first code',
      tags: ['enrollment'],
      params: TokenParams,
      body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 12, description: 'The code the app shows now.' }) }, { additionalProperties: false }),
      response: { 200: Enrolled, 404: Problem, 409: Problem, 422: Problem, 429: Problem },
    },
    handler: async (request, reply) => {
      const { token } = request.params;
      const link = await enrollmentLinks.get(token);
      if (!link?.methods.includes('totp')) return reply.code(404).send(GONE);
      if (!link.totpIssued) return reply.code(409).send({ error: 'not-issued', message: 'show the QR code first' });
      // The same atomic check as at sign-in: this first code is spent, never accepted twice.
      const result = await verifyTotp(deps.redis, deps.keys, link.user, request.body.code, { ...totp, sealer: deps.sealer, allowUnconfirmed: true });
      switch (result.outcome) {
        case 'accepted':
          break;
        case 'locked':
          return reply.code(429).send({ error: 'locked', message: 'too many wrong codes; wait and try again' });
        case 'not-enrolled':
          return reply.code(409).send({ error: 'not-issued', message: 'show the QR code first' });
        default:
          return reply.code(422).send({ error: 'invalid-code', message: 'that code is not right' });
      }
      if (!(await enrollmentLinks.consume(token))) return reply.code(404).send(GONE);
      await users.confirmTotp(link.user);
      request.log.info({ user: link.user, method: 'totp' }, 'enrollment confirmed');
      return reply.send({ enrolled: 'totp' as const });
    },
  });

  app.post(`${ENROLLMENT_ROUTE}/push`, {
    config: tokenLimited('token', liveEnrollmentLink),
    schema: {
      summary: 'Enroll for push approvals',
      tags: ['enrollment'],
      params: TokenParams,
      body: Type.Object({}, { additionalProperties: false }),
      response: { 200: PushEnrolled, 404: Problem, 409: Problem },
    },
    handler: async (request, reply) => {
      const { token } = request.params;
      const link = await enrollmentLinks.get(token);
      if (!link?.methods.includes('push')) return reply.code(404).send(GONE);
      // Checked before the link is spent, and again atomically by the enrollment (ifAbsent).
      if ((await users.getUser(link.user))?.push !== undefined) return reply.code(409).send(ALREADY);
      if (!(await enrollmentLinks.consume(token))) return reply.code(404).send(GONE);
      let enrolled;
      try {
        enrolled = await enrollPushFor(users, link.user, config.mfa.push?.notifier, undefined, { ifAbsent: true });
      } catch (error) {
        if (error instanceof AlreadyEnrolledError) return reply.code(409).send(ALREADY);
        throw error;
      }
      request.log.info({ user: link.user, method: 'push' }, 'enrollment confirmed');
      return reply.send({ enrolled: 'push' as const, ...enrolled });
    },
  });
};
