// Browser script of the approval page, served as /v1/assets/approve.js (the CSP forbids inline script).
// It POSTs JSON to the page's own URL: approve there, deny and fraud at `{url}/deny`.
export const APPROVE_SCRIPT = String.raw`'use strict';
(function () {
  var form = document.getElementById('decision');
  var result = document.getElementById('result');
  if (!form || !result) return;
  var base = window.location.pathname.replace(/\/+$/, '');
  var buttons = form.querySelectorAll('button');
  var MESSAGES = {
    approved: 'Approved. You can close this page.',
    denied: 'Denied. Nobody was signed in.',
    'number-mismatch': 'The number did not match, so the sign-in was denied.',
    fraud: 'Reported. Your sign-in verification is locked until your help desk unlocks it.',
    conflict: 'This sign-in request was already answered or has expired.',
    error: 'Something went wrong. Try again.'
  };
  function finish(key) {
    result.textContent = MESSAGES[key] || MESSAGES.error;
    result.className = 'final ' + key;
    if (key !== 'error') form.hidden = true;
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = key !== 'error';
  }
  function send(url, body) {
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit', cache: 'no-store' })
      .then(function (response) {
        return response.json().then(function (json) {
          if (response.status === 409) return finish('conflict');
          if (json.reason === 'number-mismatch') return finish('number-mismatch');
          finish(json.status || 'error');
        });
      })
      .catch(function () { finish('error'); });
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = {};
    if (form.getAttribute('data-number') === '1') {
      var input = document.getElementById('number');
      var value = input ? input.value.trim() : '';
      if (!/^[0-9]{1,3}$/.test(value)) {
        result.textContent = 'Enter the number shown where you are signing in.';
        if (input) input.focus();
        return;
      }
      body.number = Number(value);
    }
    send(base, body);
  });
  document.getElementById('deny').addEventListener('click', function () { send(base + '/deny', {}); });
  document.getElementById('fraud').addEventListener('click', function () { send(base + '/deny', { fraud: true }); });
})();
`;
