/**
 * Where a person approves or denies a push: the worker puts these links in the notification, the
 * results-api serves them. The token alone names the challenge and the action (stored hashed).
 */
export type ApprovalAction = 'approve' | 'deny';

/** Route templates of the results-api (fastify syntax), relative to `api.publicUrl`. */
export const APPROVAL_ROUTES: Readonly<Record<ApprovalAction, string>> = {
  approve: '/v1/approve/:token',
  deny: '/v1/deny/:token',
};

/** The absolute link for `action` with `token`, under the public base URL (a path prefix in it is kept). */
export function approvalUrl(publicUrl: string, action: ApprovalAction, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${APPROVAL_ROUTES[action].replace(':token', encodeURIComponent(token))}`;
}
