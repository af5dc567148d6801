import type { EnrollmentLink } from '@radius-mfa/mfa';
import { escapeHtml, formatTime, htmlPage } from './html.js';

/** The enrollment page: the QR code comes from a POST made by the page's script, never from the GET. */
export function renderEnrollmentPage(link: EnrollmentLink): string {
  const totp = link.methods.includes('totp')
    ? `<section id="totp">
<h2>Authenticator app</h2>
<p>Scan a QR code with your authenticator app, then type the code it shows.</p>
<button type="button" id="show-qr">Show QR code</button>
<div id="qr-area" hidden>
<div id="qr" role="img" aria-label="QR code for your authenticator app"></div>
<p>Can't scan? Enter this key: <code id="secret"></code></p>
<form id="confirm" novalidate>
<label for="code">Code from the app</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="10" required>
<button type="submit" id="confirm-code">Confirm</button>
</form>
</div>
</section>`
    : '';
  const push = link.methods.includes('push')
    ? `<section id="push">
<h2>Push approvals</h2>
<p>Get a notification to approve each sign-in.</p>
<button type="button" id="enroll-push">Enroll for push</button>
</section>
<div id="ntfy-subscribe" hidden>
<h2>Subscribe in the ntfy app</h2>
<p>In the ntfy app, add a subscription on the server <code id="ntfy-server"></code> to this topic:</p>
<p><code id="ntfy-topic"></code></p>
<p>Keep the topic private: anyone who knows it can see and approve your sign-in requests. It is shown only now.</p>
</div>`
    : '';
  const body = `<h1>Set up sign-in verification</h1>
<p>For <strong id="who">${escapeHtml(link.user)}</strong>. This link works once, until ${escapeHtml(formatTime(link.expiresAt))}.</p>
${totp}
${push}
<p id="result" role="status" aria-live="polite"></p>`;
  return htmlPage({ title: 'Set up sign-in verification', body, script: 'enroll.js' });
}
