// A RADIUS client for load: many requests outstanding over a few UDP sockets, every response
// verified (Response Authenticator and Message-Authenticator, RFC 2865 §3, RFC 3579 §3.2).
// Callbacks rather than promises: the generator shares two cores with the system it measures.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Attr, Code, buildRequest, hidePassword, textAttribute, verifyResponse } from '@radius-mfa/radius-protocol';
import { percentile, round } from './stats.mjs';

const IDENTIFIERS = 256;

/**
 * Sockets that send Access-Requests to `targets` (chosen by the caller per request) and call back
 * once per request: `{ code, latencyMs, packet }` for a verified answer, `{ error }` otherwise
 * ('timeout', 'unverified' for a reply failing the authenticator checks). A reply's
 * Message-Authenticator is checked when present and required unless `requireMessageAuthenticator`
 * is false (servers that predate BlastRADIUS, FreeRADIUS 3.2.1, send none).
 */
export async function openRadiusClient({ secret, sockets = 4, timeoutMs = 5_000, requireMessageAuthenticator = true }) {
  const secretBytes = Buffer.from(secret);
  const channels = [];
  for (let i = 0; i < sockets; i++) {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    socket.setRecvBufferSize?.(4 * 1024 * 1024);
    const channel = { socket, free: Array.from({ length: IDENTIFIERS }, (_, id) => id), pending: new Map() };
    socket.on('message', (message) => {
      const identifier = message[1];
      const entry = channel.pending.get(identifier);
      if (!entry) return;
      channel.pending.delete(identifier);
      channel.free.push(identifier);
      let result;
      try {
        const packet = verifyResponse(message, entry, secretBytes, { requireMessageAuthenticator });
        result = { code: packet.code, latencyMs: performance.now() - entry.sentAt, packet };
      } catch (error) {
        result = { error: 'unverified', reason: error.reason ?? String(error) };
      }
      entry.done(result);
    });
    channels.push(channel);
  }
  let nextChannel = 0;
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const channel of channels) {
      for (const [identifier, entry] of channel.pending) {
        if (now - entry.sentAt < timeoutMs) continue;
        channel.pending.delete(identifier);
        channel.free.push(identifier);
        entry.done({ error: 'timeout' });
      }
    }
  }, 100);

  return {
    /** Requests that can be outstanding at once. */
    capacity: sockets * IDENTIFIERS,
    get outstanding() {
      return channels.reduce((n, c) => n + c.pending.size, 0);
    },
    /**
     * Sends one Access-Request with `attributes(authenticator)` (so User-Password can be hidden
     * with it) to `target` `{ host, port }`. False when no identifier is free.
     */
    send(target, attributes, done) {
      for (let tries = 0; tries < channels.length; tries++) {
        const channel = channels[nextChannel];
        nextChannel = (nextChannel + 1) % channels.length;
        const identifier = channel.free.pop();
        if (identifier === undefined) continue;
        const { datagram, authenticator } = buildAccessRequest(secretBytes, identifier, attributes);
        channel.pending.set(identifier, { identifier, authenticator, sentAt: performance.now(), done, datagram });
        channel.socket.send(datagram, target.port, target.host);
        return true;
      }
      return false;
    },
    async close() {
      clearInterval(sweeper);
      await Promise.all(channels.map((c) => new Promise((resolve) => c.socket.close(resolve))));
    },
  };
}

/** An Access-Request with Message-Authenticator first; `attributes(authenticator)` may hide a password with it. */
export function buildAccessRequest(secretBytes, identifier, attributes, code = Code.AccessRequest) {
  const authenticator = randomBytes(16);
  const datagram = buildRequest({
    code,
    identifier,
    authenticator,
    secret: secretBytes,
    messageAuthenticator: true,
    attributes: attributes(authenticator),
  });
  return { datagram, authenticator };
}

/** The attributes of an append-mode login: User-Name and User-Password `password,code` (RFC 2865 §5.2 hiding). */
export function appendLoginAttributes(secret, user, passwordText) {
  const secretBytes = Buffer.from(secret);
  const password = Buffer.from(passwordText);
  return (authenticator) => [
    textAttribute(Attr.UserName, user),
    { type: Attr.UserPassword, value: hidePassword(password, secretBytes, authenticator) },
    { type: Attr.NASIPAddress, value: Buffer.from([127, 0, 0, 1]) },
    textAttribute(Attr.CallingStationId, '203.0.113.9'),
  ];
}

/**
 * Drives logins from `nextLogin()` (returns { user, password } or undefined when none is
 * available now) against `targets`: closed loop with `inFlight` outstanding, or paced at `rate`
 * per second (at most `inFlight` outstanding). Runs `warmupSeconds`, then measures `seconds`.
 */
export async function driveLogins({ client, secret, targets, nextLogin, inFlight = 256, rate, seconds, warmupSeconds = 1, onMeasureStart }) {
  const counts = { accept: 0, reject: 0, challenge: 0, timeout: 0, unverified: 0, exhausted: 0 };
  const latencies = [];
  let measuring = false;
  let stopping = false;
  let sent = 0;
  let targetIndex = 0;

  const sendOne = () => {
    const login = nextLogin();
    if (!login) {
      if (measuring) counts.exhausted++;
      return false;
    }
    const target = targets[targetIndex];
    targetIndex = (targetIndex + 1) % targets.length;
    const ok = client.send(target, appendLoginAttributes(secret, login.user, login.password), (result) => {
      if (measuring) {
        if (result.error) counts[result.error]++;
        else {
          counts[result.code === Code.AccessAccept ? 'accept' : result.code === Code.AccessReject ? 'reject' : 'challenge']++;
          latencies.push(result.latencyMs);
        }
      }
      if (!stopping && rate === undefined) refill();
    });
    if (ok) sent++;
    return ok;
  };
  const refill = () => {
    while (client.outstanding < inFlight) if (!sendOne()) break;
  };

  let pacer;
  const start = performance.now();
  if (rate === undefined) {
    refill();
    // Keep the loop full when logins ran out for a moment (users waiting for the next TOTP step).
    pacer = setInterval(() => !stopping && refill(), 50);
  } else {
    let due = 0;
    pacer = setInterval(() => {
      const shouldHave = ((performance.now() - start) / 1000) * rate;
      while (due < shouldHave && client.outstanding < inFlight) {
        if (!sendOne()) break;
        due++;
      }
      due = Math.max(due, Math.floor(shouldHave) - inFlight);
    }, 1);
  }
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  await onMeasureStart?.();
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  stopping = true;
  clearInterval(pacer);
  const drainDeadline = Date.now() + 10_000;
  while (client.outstanding > 0 && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
  latencies.sort((a, b) => a - b);
  const answered = counts.accept + counts.reject + counts.challenge;
  return {
    perSec: Math.round(counts.accept / elapsed),
    answeredPerSec: Math.round(answered / elapsed),
    elapsed,
    counts,
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    sent,
  };
}
