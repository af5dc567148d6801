import type { ChallengePublicView } from '@radius-mfa/mfa';
import { escapeHtml, formatTime, htmlPage } from './html.js';

export interface ApprovalPageModel {
  readonly view: ChallengePublicView;
  /** When the sign-in asked (challenge creation), Unix ms. */
  readonly createdAt: number;
}

function row(label: string, value: string, id: string): string {
  return `<div class="row"><dt>${label}</dt><dd id="${id}">${escapeHtml(value)}</dd></div>`;
}

/** The approval page of one push: who, which client, from where, when; number field; three buttons. */
export function renderApprovalPage({ view, createdAt }: ApprovalPageModel): string {
  const details = `<dl class="details">
${row('Account', view.user, 'who')}
${row('Signing in to', view.client, 'client')}
${row('From', view.callingStationId || 'unknown', 'from')}
${row('When', formatTime(createdAt), 'when')}
</dl>`;
  if (view.status !== 'pending') {
    const text = view.status === 'expired' ? 'This sign-in request has expired.' : 'This sign-in request was already answered.';
    return htmlPage({ title: 'Sign-in request', body: `<h1>Sign-in request</h1>${details}<p id="result" class="final">${text}</p>` });
  }
  const number = view.numberMatching
    ? `<label for="number">Enter the number shown where you are signing in</label>
<input id="number" name="number" inputmode="numeric" pattern="[0-9]*" maxlength="3" autocomplete="off" required>`
    : '';
  const body = `<h1>Are you trying to sign in?</h1>
${details}
<form id="decision" data-number="${view.numberMatching ? '1' : '0'}" novalidate>
${number}
<button type="submit" id="approve" class="approve">Approve</button>
<button type="button" id="deny" class="deny">Deny</button>
<button type="button" id="fraud" class="fraud">This wasn't me</button>
</form>
<p id="result" role="status" aria-live="polite"></p>`;
  return htmlPage({ title: 'Approve sign-in', body, script: 'approve.js' });
}

export function renderGonePage(title: string, message: string): string {
  return htmlPage({ title, body: `<h1>${escapeHtml(title)}</h1><p id="result" class="final">${escapeHtml(message)}</p>` });
}
