import { Type } from '@fastify/type-provider-typebox';

/**
 * The answer to a push enrollment (admin API and enrollment page). With an ntfy notifier it
 * carries the person's own random topic: shown to them once, to subscribe to in the ntfy app.
 */
export const PushEnrolled = Type.Object({
  enrolled: Type.Literal('push'),
  ntfy: Type.Optional(
    Type.Object({
      url: Type.String({ description: 'The ntfy server to subscribe on.' }),
      topic: Type.String({ description: 'The user\'s own random topic; whoever knows it can answer their pushes.' }),
    }),
  ),
});
