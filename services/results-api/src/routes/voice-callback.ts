// POST /v1/voice/callback/:challengeId?sig=… : ACS Call Automation events for a voice approval.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EntraError } from '@radius-mfa/directory';
import type { ResultsDependencies } from '../dependencies.js';
import { settleDecision } from '../decisions.js';
import { VOICE_CALLBACK_ROUTE, type VoiceCallbackHandler } from '../voice-callbacks.js';
import { tokenLimited } from '../plugins/token-limits.js';

const Problem = Type.Object({ error: Type.String(), message: Type.String() });

export const voiceCallbackRoutes: FastifyPluginAsyncTypebox<{ deps: ResultsDependencies; voice: VoiceCallbackHandler }> = async (app, { deps, voice }) => {
  // The call's challenge lives while the call can still be answered.
  const liveChallenge = (challengeId: string): string => deps.keys.challenge(challengeId);
  app.post(VOICE_CALLBACK_ROUTE, {
    config: tokenLimited('challengeId', liveChallenge),
    schema: {
      summary: 'ACS Call Automation callback of a voice approval (signed URL)',
      tags: ['voice'],
      params: Type.Object({ challengeId: Type.String({ pattern: '^[0-9a-f]{32}$' }) }),
      querystring: Type.Object({ sig: Type.String({ minLength: 1, maxLength: 128 }) }),
      // A JSON array of CloudEvents; the approver reads only what it knows.
      body: Type.Array(Type.Unknown(), { maxItems: 100 }),
      response: { 200: Type.Object({ outcome: Type.String() }), 401: Problem, 404: Problem, 409: Problem, 502: Problem },
    },
    handler: async (request, reply) => {
      const { challengeId } = request.params;
      let outcome;
      try {
        outcome = await voice.handleEvents(challengeId, request.query.sig, request.body);
      } catch (error) {
        if (error instanceof EntraError && error.code === 'config') {
          request.log.warn({ challengeId }, 'voice callback refused: bad signature');
          return reply.code(401).send({ error: 'bad-signature', message: 'callback signature does not match' });
        }
        if (error instanceof EntraError) {
          // ACS retries a failed callback delivery; the call itself stays up until it times out.
          request.log.warn({ challengeId, err: error }, 'voice callback could not be handled');
          return reply.code(502).send({ error: error.code, message: 'Call Automation could not be reached' });
        }
        throw error;
      }
      if (outcome === 'pending') return reply.send({ outcome });

      const challenge = await deps.challenges.getChallenge(challengeId);
      if (challenge?.method !== 'voice') return reply.code(404).send({ error: 'not-found', message: 'no voice challenge with this id' });
      // '#' approves; another key, silence or a hang-up denies (and counts as a denial against call bombing).
      const settled = await settleDecision(deps, await deps.challenges.decideChallengeById(challengeId, { approve: outcome === 'approved' }));
      if (settled.kind === 'conflict') return reply.code(409).send({ error: settled.reason, message: 'the challenge was already decided or expired' });
      if (settled.kind === 'not-found') return reply.code(404).send({ error: 'not-found', message: 'no voice challenge with this id' });
      return reply.send({ outcome });
    },
  });
};
