// RadSec (RFC 6614): RADIUS over mutually authenticated TLS. One connection carries many
// packets, framed by their Length field (RFC 6613 §2.6); the shared secret is "radsec" (§2.3).
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import type { Endpoint } from '@radius-mfa/config';
import { MAX_PACKET_LENGTH, MIN_PACKET_LENGTH } from '@radius-mfa/radius-protocol';
import type { ResolvedClient } from './client-table.js';
import type { ReplyTarget } from './pending.js';
import type { AdmissionOutcome } from './admission.js';
import type { IngressDropReason } from './drop-reasons.js';
import { createConnectionGuard } from './radsec-connection-guard.js';
import type { PeerIdentity, RadsecClientChoice } from './radsec-identity.js';

/** RFC 6614 §2.3: the shared secret of every RadSec connection. */
export const RADSEC_SECRET = Buffer.from('radsec');

export interface RadsecFrame {
  readonly data: Buffer;
  readonly address: string;
  readonly port: number;
  readonly client: ResolvedClient;
  readonly target: ReplyTarget;
}

export interface RadsecListenerOptions {
  readonly endpoint: Endpoint;
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
  /** Connections held at most (handshaking or open), and from one source address; the handshake deadline. */
  readonly limits: { readonly maxConnections: number; readonly maxConnectionsPerAddress: number; readonly handshakeTimeoutMs: number };
  /** The client a connection speaks for (by source address, then its certificate's names); a refusal closes it. */
  readonly chooseClient: (peer: PeerIdentity) => RadsecClientChoice;
  readonly onFrame: (frame: RadsecFrame) => Promise<AdmissionOutcome>;
  /** A connection that sends nothing (or half a header) for this long is closed (PROTOCOL-CASES 39). */
  readonly idleTimeoutMs: number;
  readonly onError: (error: Error) => void;
  /** A connection was closed for a protocol reason (admission already counted those it decided). */
  readonly onClose?: (reason: IngressDropReason) => void;
  /** The listener itself refused or closed a connection (limits, handshake deadline, framing, client or identity): count it. */
  readonly onDrop: (reason: IngressDropReason) => void;
}

export interface RadsecListener {
  readonly address: AddressInfo;
  /** Stops accepting connections; open ones stay until `destroyAll`. */
  stopAccepting(): void;
  close(): Promise<void>;
}

/** PROTOCOL-CASES 40: these mean the peer is broken or hostile, not overloaded: close the connection. */
const CLOSING_REASONS = new Set<IngressDropReason>([
  'malformed_packet',
  'bad_length',
  'unknown_code',
  'unexpected_code',
  'malformed_attribute',
  'too_many_attributes',
  'missing_message_authenticator',
  'bad_message_authenticator',
  'bad_request_authenticator',
  'proxy_state_without_message_authenticator',
  'eap_without_message_authenticator',
  'unknown_client',
  'wrong_port',
]);

/** The verified peer certificate's identities (rejectUnauthorized: it chains to radius.tls.ca). */
function peerIdentity(socket: TLSSocket, address: string): PeerIdentity {
  const commonName = socket.getPeerCertificate().subject?.CN;
  const commonNames = commonName === undefined ? [] : Array.isArray(commonName) ? commonName : [commonName];
  return { address, certificate: socket.getPeerX509Certificate(), commonNames };
}

export function startRadsecListener(options: RadsecListenerOptions): Promise<RadsecListener> {
  const sockets = new Set<TLSSocket>();
  const guard = createConnectionGuard({
    maxConnectionsPerAddress: options.limits.maxConnectionsPerAddress,
    handshakeTimeoutMs: options.limits.handshakeTimeoutMs,
    onDrop: options.onDrop,
  });
  const server = createServer({
    cert: readFileSync(options.tls.cert),
    key: readFileSync(options.tls.key),
    ca: readFileSync(options.tls.ca),
    // RFC 6614 §2.3: mutual authentication; TLS 1.2 at least (RFC 6614 §2.3, RFC 9325).
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });

  function serve(socket: TLSSocket): void {
    guard.handshakeDone(socket.remoteAddress, socket.remotePort);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs, () => socket.destroy());
    const address = socket.remoteAddress ?? '';
    const port = socket.remotePort ?? 0;
    const choice = options.chooseClient(peerIdentity(socket, address));
    if ('refused' in choice) {
      options.onDrop(choice.refused);
      options.onClose?.(choice.refused);
      socket.destroy();
      return;
    }
    const client: ResolvedClient = { config: choice.client.config, secret: RADSEC_SECRET };
    const target: ReplyTarget = {
      key: `tls:${address}:${port}`,
      send(response) {
        if (!socket.destroyed) socket.write(response);
      },
    };
    let buffered: Buffer = Buffer.alloc(0);
    const close = (reason: IngressDropReason): void => {
      options.onClose?.(reason);
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // RFC 6613 §2.6: the Length field frames each packet; two in one segment are both handled.
      while (buffered.length >= 4) {
        const length = buffered.readUInt16BE(2);
        if (length < MIN_PACKET_LENGTH || length > MAX_PACKET_LENGTH) {
          options.onDrop('bad_length');
          return close('bad_length');
        }
        if (buffered.length < length) break;
        // A copy: the request is kept until its verdict, and `buffered` is reused.
        const data = Buffer.from(buffered.subarray(0, length));
        buffered = buffered.subarray(length);
        options
          .onFrame({ data, address, port, client, target })
          .then((outcome) => {
            if (outcome.kind === 'dropped' && CLOSING_REASONS.has(outcome.reason)) close(outcome.reason);
          })
          .catch((error: unknown) => options.onError(error as Error));
      }
    });
  }

  server.on('secureConnection', serve);
  server.on('tlsClientError', (error) => options.onError(error));

  // TCP is accepted here and handed to the TLS server, so the caps count handshaking connections too.
  const listener = createTcpServer((socket) => {
    if (guard.admit(socket)) server.emit('connection', socket);
  });
  // Beyond it net closes the connection before any JavaScript object exists for it, and emits 'drop'.
  listener.maxConnections = options.limits.maxConnections;
  listener.on('drop', () => options.onDrop('radsec_connection_limit'));
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.endpoint.port, options.endpoint.host, () => {
      listener.off('error', reject);
      listener.on('error', options.onError);
      let closed: Promise<void> | undefined;
      resolve({
        address: listener.address() as AddressInfo,
        stopAccepting() {
          if (listener.listening) listener.close();
        },
        close() {
          closed ??= new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            for (const socket of guard.sockets) socket.destroy();
            if (listener.listening) listener.close(() => done());
            else done();
          });
          return closed;
        },
      });
    });
  });
}
