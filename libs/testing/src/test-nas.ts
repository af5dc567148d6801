/**
 * A NAS for tests: Access-Requests built as a BlastRADIUS-aware NAS sends them (Message-Authenticator
 * first, User-Password hidden as RFC 2865 §5.2 says), sent from a real UDP socket, and every reply
 * verified as such a NAS would (Response Authenticator, RFC 2865 §3; Message-Authenticator present and
 * first on Access-* replies, RFC 3579 §3.2 and the BlastRADIUS advice).
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { Attr, Code, buildRequest, decodePacket, hidePassword, textAttribute, verifyResponse, type RadiusAttribute, type RadiusPacket } from '@radius-mfa/radius-protocol';

export interface TestRequestOptions {
  readonly secret: string | Buffer;
  /** Access-Request unless set (Status-Server, Accounting-Request...). */
  readonly code?: number;
  /** Random unless set. */
  readonly identifier?: number;
  /** Random unless set (computed for Accounting-Request). */
  readonly authenticator?: Buffer;
  /** User-Name, first after Message-Authenticator. */
  readonly user?: string;
  /** User-Password, hidden with the secret and the authenticator. */
  readonly password?: string | Buffer;
  /** State (RFC 2865 §5.24): the answer to an Access-Challenge carries it back. */
  readonly state?: Buffer;
  /** More attributes, after User-Name, User-Password and State, in this order. */
  readonly attributes?: readonly RadiusAttribute[];
  /** True unless set: a NAS that predates BlastRADIUS sends none. */
  readonly messageAuthenticator?: boolean;
}

/** The request's identity, against which its reply is verified. */
export type RequestIdentity = { readonly identifier: number; readonly authenticator: Buffer };

const bytes = (value: string | Buffer): Buffer => (typeof value === 'string' ? Buffer.from(value, 'utf8') : value);

/** An Access-Request (or `code`) as a NAS sends it. */
export function buildTestRequest(options: TestRequestOptions): Buffer {
  const secret = bytes(options.secret);
  const authenticator = options.authenticator ?? randomBytes(16);
  const attributes: RadiusAttribute[] = [];
  if (options.user !== undefined) attributes.push(textAttribute(Attr.UserName, options.user));
  if (options.password !== undefined) attributes.push({ type: Attr.UserPassword, value: hidePassword(bytes(options.password), secret, authenticator) });
  if (options.state !== undefined) attributes.push({ type: Attr.State, value: options.state });
  attributes.push(...(options.attributes ?? []));
  return buildRequest({
    code: options.code ?? Code.AccessRequest,
    identifier: options.identifier ?? randomBytes(1)[0]!,
    authenticator,
    attributes,
    secret,
    messageAuthenticator: options.messageAuthenticator ?? true,
  });
}

/** A reply whose authenticators check out but whose Message-Authenticator is not the first attribute. */
export class MessageAuthenticatorNotFirstError extends Error {
  readonly code = 'MESSAGE_AUTHENTICATOR_NOT_FIRST';
  constructor() {
    super('Message-Authenticator is not the first attribute of the reply');
    this.name = 'MessageAuthenticatorNotFirstError';
  }
}

/**
 * Verifies `reply` to `request` (the datagram sent, or its identity) and decodes it. Access-* replies
 * must carry Message-Authenticator as their first attribute; an Accounting-Response need not.
 * Throws the codec's RadiusProtocolError, or MessageAuthenticatorNotFirstError.
 */
export function verifyTestReply(reply: Buffer, request: Buffer | RequestIdentity, secret: string | Buffer): RadiusPacket {
  const identity = Buffer.isBuffer(request) ? decodePacket(request) : request;
  const accessReply = reply[0] !== Code.AccountingResponse;
  const packet = verifyResponse(reply, { identifier: identity.identifier, authenticator: identity.authenticator }, bytes(secret), {
    requireMessageAuthenticator: accessReply,
  });
  if (accessReply && packet.attributes[0]?.type !== Attr.MessageAuthenticator) throw new MessageAuthenticatorNotFirstError();
  return packet;
}

/** A NAS on a real UDP socket: datagrams it receives wait in order until read. */
export class TestNas {
  private readonly queue: Buffer[] = [];
  private waiter: ((datagram: Buffer) => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('message', (data) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter(data);
      else this.queue.push(data);
    });
  }

  /** Any 127.0.0.0/8 address works on Linux loopback: a test picks the source that selects a client. */
  static async open(address = '127.0.0.1'): Promise<TestNas> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new TestNas(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Buffer, port: number, host = '127.0.0.1'): void {
    this.socket.send(packet, port, host);
  }

  /** The next datagram, or a rejection after `timeoutMs` (generous: only a failing test waits that long). */
  receive(timeoutMs = 15_000): Promise<Buffer> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no datagram within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (data) => {
        clearTimeout(timer);
        resolve(data);
      };
    });
  }

  /** Datagrams received and not yet read. */
  get unread(): number {
    return this.queue.length;
  }

  /** Sends `request` to 127.0.0.1:`port` and resolves with the next datagram, verified as its reply. */
  async exchange(request: Buffer, port: number, secret: string | Buffer, timeoutMs?: number): Promise<RadiusPacket> {
    this.send(request, port);
    return verifyTestReply(await this.receive(timeoutMs), request, secret);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
