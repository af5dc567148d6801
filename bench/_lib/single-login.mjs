// One login from its own UDP socket, for fault tests and retransmission benchmarks: the same
// datagram can be sent again (a NAS retransmission, RFC 5080 §2.2.2) to any ingress, and every
// reply is kept and verified.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Attr, Code, textAttribute, verifyResponse } from '@radius-mfa/radius-protocol';
import { appendLoginAttributes, buildAccessRequest } from './radius-load.mjs';

/**
 * Opens a socket and builds one Access-Request (`user`, `password` as User-Password) with
 * Message-Authenticator (and `state`, the State of the Access-Challenge it answers), or a
 * Status-Server with `statusServer: true`. `send(port)` sends the identical bytes; `replies` holds each reply
 * received ({ bytes, code } once verified, { error } otherwise); `nextReply(ms)` waits for one.
 */
export async function openLogin({ secret, user, password, identifier = randomBytes(1)[0], bindAddress = '127.0.0.1', statusServer = false, state }) {
  const secretBytes = Buffer.from(secret);
  const socket = createSocket('udp4');
  socket.bind(0, bindAddress);
  await once(socket, 'listening');
  // Status-Server (RFC 5997 §3): Message-Authenticator and nothing that authenticates anyone.
  const login = appendLoginAttributes(secret, user, password);
  // An answer to an Access-Challenge carries its State back unchanged (RFC 2865 §5.24).
  const attributes = statusServer
    ? () => [textAttribute(Attr.NASIdentifier, 'bench')]
    : state
      ? (authenticator) => [...login(authenticator), { type: Attr.State, value: state }]
      : login;
  const { datagram, authenticator } = buildAccessRequest(secretBytes, identifier, attributes, statusServer ? Code.StatusServer : Code.AccessRequest);
  const replies = [];
  const waiters = [];
  socket.on('message', (message) => {
    let reply;
    try {
      const packet = verifyResponse(message, { identifier, authenticator }, secretBytes, { requireMessageAuthenticator: true });
      reply = { bytes: Buffer.from(message), code: packet.code, packet };
    } catch (error) {
      reply = { bytes: Buffer.from(message), error: error.reason ?? String(error) };
    }
    replies.push(reply);
    for (const waiter of waiters.splice(0)) waiter();
  });
  let sends = 0;
  return {
    user,
    datagram,
    replies,
    get sends() {
      return sends;
    },
    send(port, host = '127.0.0.1') {
      sends++;
      socket.send(datagram, port, host);
    },
    /** Resolves with the first reply at index >= `count` (default: the next one not yet seen), or undefined after `timeoutMs`. */
    async nextReply(timeoutMs, count = replies.length) {
      const deadline = Date.now() + timeoutMs;
      while (replies.length <= count) {
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return replies[count];
    },
    /**
     * Retransmits every `intervalMs` (to `ports` in turn) until a reply arrives, as a NAS does
     * (RFC 5080 §2.2.1); resolves with the first reply, or undefined after `timeoutMs`.
     */
    async untilAnswered(ports, { intervalMs = 2_000, timeoutMs = 60_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; Date.now() < deadline; i++) {
        const seen = replies.length;
        this.send(ports[i % ports.length]);
        const reply = await this.nextReply(Math.min(intervalMs, deadline - Date.now()), seen);
        if (reply) return reply;
      }
      return undefined;
    },
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}
