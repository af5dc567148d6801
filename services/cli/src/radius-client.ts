// A RADIUS client over UDP (test-auth, doctor's upstream probe): retransmits the same packet on
// timeout (RFC 5080 §2.2.1: same Identifier and authenticator), checks every reply before use.
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';
import {
  Attr,
  Code,
  RadiusProtocolError,
  buildRequest,
  isAccessResponse,
  verifyResponse,
  type RadiusAttribute,
  type RadiusPacket,
} from '@radius-mfa/radius-protocol';

export interface RadiusServerAddress {
  readonly host: string;
  readonly port: number;
}

export interface RadiusClientOptions {
  readonly server: RadiusServerAddress;
  readonly secret: Buffer;
  /** Wait for a reply this long before each retransmission. */
  readonly timeoutMs?: number;
  /** Retransmissions after the first send. */
  readonly retries?: number;
  /** Called before each retransmission (attempt = the send about to be made, from 2), so a person sees the wait. */
  readonly onResend?: (attempt: number, of: number) => void;
}

export type RadiusClientErrorReason = 'timeout' | 'socket' | 'bad-address';

export class RadiusClientError extends Error {
  readonly code = 'RADIUS_CLIENT';
  constructor(
    readonly reason: RadiusClientErrorReason,
    message: string,
    /** Replies that arrived but failed verification (wrong secret?), newest last. */
    readonly rejectedReplies: readonly string[] = [],
  ) {
    super(message);
    this.name = 'RadiusClientError';
  }
}

export interface RadiusExchange {
  readonly request: { readonly code: number; readonly identifier: number; readonly authenticator: Buffer; readonly attributes: readonly RadiusAttribute[] };
  readonly response: RadiusPacket;
  /** Sends made, 1 when the first one was answered. */
  readonly attempts: number;
}

export interface RadiusClient {
  /**
   * Sends one request (Message-Authenticator first, always) and resolves with its verified reply.
   * `attributes` may be built from the Request Authenticator (User-Password is hidden with it, RFC 2865 §5.2).
   */
  exchange(code: number, attributes: readonly RadiusAttribute[] | ((authenticator: Buffer) => readonly RadiusAttribute[])): Promise<RadiusExchange>;
  close(): Promise<void>;
}

/** `host:port`, `[v6]:port`, or a host alone (port 1812, RFC 2865 §3). */
export function parseServerAddress(text: string, defaultPort = 1812): RadiusServerAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = match?.[3] === undefined ? defaultPort : Number(match[3]);
  if (!host || port < 1 || port > 65_535) throw new RadiusClientError('bad-address', `"${text}" is not HOST:PORT`);
  return { host, port };
}

/**
 * BlastRADIUS (CVE-2024-3596): an Access-* reply must carry Message-Authenticator, and as its first
 * attribute, so a forged reply cannot hide a chosen-prefix collision in front of it.
 */
function checkMessageAuthenticatorFirst(packet: RadiusPacket): void {
  if (isAccessResponse(packet.code) && packet.attributes[0]?.type !== Attr.MessageAuthenticator) {
    throw new RadiusProtocolError('missing_message_authenticator', 'Message-Authenticator is not the first attribute of the reply');
  }
}

export async function createRadiusClient(options: RadiusClientOptions): Promise<RadiusClient> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const retries = options.retries ?? 2;
  const family = isIP(options.server.host) === 6 || options.server.host.includes(':') ? 'udp6' : 'udp4';
  const socket: Socket = createSocket(family);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  let identifier = randomInt(256);
  const waiting = new Map<number, { onReply(datagram: Buffer): void; abandon(): void }>();
  socket.on('message', (datagram) => {
    if (datagram.length >= 2) waiting.get(datagram[1]!)?.onReply(datagram);
  });
  socket.on('error', () => undefined);

  return {
    exchange(code, build) {
      identifier = (identifier + 1) % 256;
      const id = identifier;
      const requestAuthenticator = randomBytes(16);
      const attributes = typeof build === 'function' ? build(requestAuthenticator) : build;
      const raw = buildRequest({ code, identifier: id, authenticator: requestAuthenticator, attributes, secret: options.secret, messageAuthenticator: true });
      // Status-Server keeps the given authenticator too; only accounting-style codes compute theirs.
      const authenticator = Buffer.from(raw.subarray(4, 20));
      return new Promise<RadiusExchange>((resolve, reject) => {
        const rejectedReplies: string[] = [];
        let attempts = 0;
        let timer: NodeJS.Timeout | undefined;
        const finish = (): void => {
          clearTimeout(timer);
          waiting.delete(id);
        };
        const send = (): void => {
          if (attempts > retries) {
            finish();
            const waited = Number(((attempts * timeoutMs) / 1000).toFixed(1));
            reject(new RadiusClientError('timeout', `no valid reply from ${options.server.host}:${options.server.port} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${waited} s)`, rejectedReplies));
            return;
          }
          attempts++;
          if (attempts > 1) options.onResend?.(attempts, retries + 1);
          socket.send(raw, options.server.port, options.server.host, (error) => {
            if (!error) return;
            finish();
            reject(new RadiusClientError('socket', error.message));
          });
          timer = setTimeout(send, timeoutMs);
        };
        const onReply = (datagram: Buffer): void => {
          try {
            const response = verifyResponse(datagram, { identifier: id, authenticator }, options.secret, { requireMessageAuthenticator: code === Code.AccessRequest });
            checkMessageAuthenticatorFirst(response);
            finish();
            resolve({ request: { code, identifier: id, authenticator, attributes }, response, attempts });
          } catch (error) {
            // RFC 2865 §3: a reply that fails verification is silently discarded; keep waiting, remember why.
            rejectedReplies.push(error instanceof RadiusProtocolError ? `${error.reason}: ${error.message}` : String(error));
          }
        };
        const abandon = (): void => {
          finish();
          reject(new RadiusClientError('socket', 'the client was closed before a reply'));
        };
        waiting.set(id, { onReply, abandon });
        send();
      });
    },
    close() {
      for (const pending of [...waiting.values()]) pending.abandon();
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
