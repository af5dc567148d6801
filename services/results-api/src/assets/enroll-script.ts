// Browser script of the enrollment page, served as /v1/assets/enroll.js.
export const ENROLL_SCRIPT = String.raw`'use strict';
(function () {
  var result = document.getElementById('result');
  var base = window.location.pathname.replace(/\/+$/, '');
  function post(path, body) {
    return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit', cache: 'no-store' })
      .then(function (response) { return response.json().then(function (json) { return { status: response.status, json: json }; }); });
  }
  function say(text, kind) {
    result.textContent = text;
    result.className = kind || '';
  }
  function done(text) {
    say(text, 'final enrolled');
    var sections = document.querySelectorAll('section');
    for (var i = 0; i < sections.length; i++) sections[i].hidden = true;
  }
  var show = document.getElementById('show-qr');
  if (show) {
    show.addEventListener('click', function () {
      show.disabled = true;
      post('/totp', {}).then(function (answer) {
        if (answer.status !== 200) { say('This link is no longer valid.', 'final'); return; }
        var qr = document.getElementById('qr');
        // The SVG is made by the server from the otpauth URI; it holds no script.
        qr.innerHTML = answer.json.qrSvg;
        qr.setAttribute('data-otpauth', 'shown');
        document.getElementById('secret').textContent = answer.json.secret;
        document.getElementById('qr-area').hidden = false;
        show.hidden = true;
        document.getElementById('code').focus();
      }).catch(function () { show.disabled = false; say('Something went wrong. Try again.'); });
    });
    document.getElementById('confirm').addEventListener('submit', function (event) {
      event.preventDefault();
      var code = document.getElementById('code').value.replace(/\s+/g, '');
      post('/totp/confirm', { code: code }).then(function (answer) {
        if (answer.status === 200) return done('Your authenticator app is set up.');
        if (answer.status === 422) return say('That code is not right. Wait for the next code and try again.');
        say('This link is no longer valid.', 'final');
      }).catch(function () { say('Something went wrong. Try again.'); });
    });
  }
  var push = document.getElementById('enroll-push');
  if (push) {
    push.addEventListener('click', function () {
      push.disabled = true;
      post('/push', {}).then(function (answer) {
        if (answer.status !== 200) { say('This link is no longer valid.', 'final'); return; }
        done('Push approvals are set up.');
        var ntfy = answer.json.ntfy;
        if (ntfy) {
          // Text only: the topic and server are shown, never parsed as HTML.
          document.getElementById('ntfy-server').textContent = ntfy.url;
          document.getElementById('ntfy-topic').textContent = ntfy.topic;
          document.getElementById('ntfy-subscribe').hidden = false;
        }
      }).catch(function () { push.disabled = false; say('Something went wrong. Try again.'); });
    });
  }
})();
`;
