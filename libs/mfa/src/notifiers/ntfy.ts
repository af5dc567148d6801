import { postJson } from '../outbound-http.js';
import { NotifierError } from './notifier-error.js';
import type { NtfyNotifierConfig, PushNotifier, PushSendHints } from './push-notifier.js';

/**
 * Publishes through a self-hosted ntfy server with JSON publishing (POST to the server root, the
 * topic in the body) and action buttons. Approve is an `http` action POSTing to the approve URL,
 * except with number matching: a button cannot ask for the number, so Approve opens the approval
 * page (`view`), where the person types it. Deny is always an `http` action.
 *
 * The topic is the operator's fixed one, else the user's own from their enrollment; a user with
 * neither gets no push (a NotifierError, so the client's failMode decides), never a guessable
 * topic that anyone could subscribe to.
 */
export function createNtfyNotifier(config: NtfyNotifierConfig): PushNotifier {
  const root = config.url.replace(/\/+$/, '');
  return {
    async send(push, signal, hints: PushSendHints = {}) {
      const topic = config.topic ?? hints.ntfyTopic;
      if (topic === undefined) throw new NotifierError('no-topic', `no ntfy topic for ${push.user}: enroll push again to get one`);
      const jsonPost = { action: 'http', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', clear: true };
      const approve = hints.numberMatching
        ? { action: 'view', label: 'Approve', url: push.approveUrl, clear: true }
        : { ...jsonPost, label: 'Approve', url: push.approveUrl };
      const message = {
        topic,
        title: `Sign-in request: ${push.client}`,
        message: `${push.user} is signing in to ${push.client}${push.callingStationId ? ` from ${push.callingStationId}` : ''}. Approve only if this is you.`,
        priority: 5,
        tags: ['lock'],
        click: push.approveUrl,
        actions: [approve, { ...jsonPost, label: 'Deny', url: push.denyUrl }],
      };
      await postJson(
        {
          url: root,
          body: message,
          timeoutMs: (config.timeoutSeconds ?? 10) * 1000,
          ...(signal && { signal }),
          ...(config.token !== undefined && { headers: { authorization: `Bearer ${config.token}` } }),
        },
        (reason, text, status) => new NotifierError(reason, text, status),
      );
    },
  };
}
