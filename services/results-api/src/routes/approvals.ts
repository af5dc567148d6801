// Approvals per CONTRACT.md: POST approveUrl / denyUrl, and the approval page at GET approveUrl.
// The page holds only the approve token, so it denies through POST {approveUrl}/deny.
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { APPROVAL_ROUTES } from '@radius-mfa/contracts';
import { approvalTokenKey, type DecisionResult } from '@radius-mfa/mfa';
import type { ResultsDependencies } from '../dependencies.js';
import { settleDecision, type SettledDecision } from '../decisions.js';
import { renderApprovalPage, renderGonePage } from '../pages/approval-page.js';
import { tokenLimited } from '../plugins/token-limits.js';

const TokenParams = Type.Object({ token: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$', description: 'The token of the link (single use).' }) });

const ApproveBody = Type.Object(
  { number: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 999 }), Type.String({ maxLength: 8 })], { description: 'The number shown at sign-in (number matching).' })) },
  { additionalProperties: false },
);
const DenyBody = Type.Object(
  { fraud: Type.Optional(Type.Boolean({ description: '"This wasn\'t me": locks the user\'s MFA until an admin unlocks it.' })) },
  { additionalProperties: false },
);

const Decided = Type.Object({
  status: Type.Union([Type.Literal('approved'), Type.Literal('denied'), Type.Literal('fraud')]),
  reason: Type.Optional(Type.String()),
});
const Conflict = Type.Object({ status: Type.Literal('conflict'), reason: Type.Union([Type.Literal('decided'), Type.Literal('expired')]) });
const Denied = Type.Object({ status: Type.Literal('denied'), reason: Type.Literal('number-mismatch') });
const Problem = Type.Object({ error: Type.String(), message: Type.String() });

type DecisionReply = { code: 200; body: Static<typeof Decided> } | { code: 409; body: Static<typeof Conflict> } | { code: 422; body: Static<typeof Denied> } | { code: 404; body: Static<typeof Problem> };

function toReply(settled: SettledDecision): DecisionReply {
  switch (settled.kind) {
    case 'approved':
      return { code: 200, body: { status: 'approved' } };
    case 'fraud':
      return { code: 200, body: { status: 'fraud' } };
    case 'denied':
      return settled.reason === 'number-mismatch'
        ? { code: 422, body: { status: 'denied', reason: 'number-mismatch' } }
        : { code: 200, body: { status: 'denied', reason: settled.reason } };
    case 'conflict':
      return { code: 409, body: { status: 'conflict', reason: settled.reason } };
    case 'not-found':
      return { code: 404, body: { error: 'not-found', message: 'unknown or expired link' } };
  }
}

const decisionResponses = { 200: Decided, 404: Problem, 409: Conflict, 422: Denied };

export const approvalRoutes: FastifyPluginAsyncTypebox<{ deps: ResultsDependencies }> = async (app, { deps }) => {
  const liveApprovalLink = (token: string): string => approvalTokenKey(deps.keys, token);
  async function decide(run: () => Promise<DecisionResult>): Promise<DecisionReply> {
    return toReply(await settleDecision(deps, await run()));
  }

  app.post(APPROVAL_ROUTES.approve, {
    config: tokenLimited('token', liveApprovalLink),
    schema: {
      summary: 'Approve a push (with the number when number matching)',
      tags: ['approvals'],
      params: TokenParams,
      body: ApproveBody,
      response: decisionResponses,
    },
    handler: async (request, reply) => {
      const { number } = request.body;
      const answer = await decide(() => deps.challenges.decideChallenge(request.params.token, number === undefined ? {} : { number }));
      return reply.code(answer.code).send(answer.body);
    },
  });

  app.post(APPROVAL_ROUTES.deny, {
    config: tokenLimited('token', liveApprovalLink),
    schema: { summary: 'Deny a push, or report it as fraud', tags: ['approvals'], params: TokenParams, body: DenyBody, response: decisionResponses },
    handler: async (request, reply) => {
      // deny: an approve token posted here must deny too, never approve.
      const answer = await decide(() => deps.challenges.decideChallenge(request.params.token, { deny: true, fraud: request.body.fraud === true }));
      return reply.code(answer.code).send(answer.body);
    },
  });

  app.post(`${APPROVAL_ROUTES.approve}/deny`, {
    config: tokenLimited('token', liveApprovalLink),
    schema: { summary: 'Deny from the approval page (holds only the approve link)', tags: ['approvals'], params: TokenParams, body: DenyBody, response: decisionResponses },
    handler: async (request, reply) => {
      const answer = await decide(() => deps.challenges.decideChallenge(request.params.token, { deny: true, fraud: request.body.fraud === true }));
      return reply.code(answer.code).send(answer.body);
    },
  });

  app.get(APPROVAL_ROUTES.approve, {
    config: tokenLimited('token', liveApprovalLink),
    schema: { summary: 'The approval page', tags: ['approvals'], params: TokenParams, produces: ['text/html'] },
    handler: async (request, reply) => {
      reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
      const view = await deps.challenges.getChallengeByToken(request.params.token);
      if (!view || view.action !== 'approve') {
        return reply.code(404).send(renderGonePage('Sign-in request', 'This link is not valid any more.'));
      }
      const record = await deps.challenges.getChallenge(view.challengeId);
      return reply.send(renderApprovalPage({ view, createdAt: record?.createdAt ?? view.expiresAt }));
    },
  });
};
