import { createSocket, type Socket } from 'node:dgram';
import { timingSafeEqual } from 'node:crypto';
import {
  Attr,
  Code,
  RadiusProtocolError,
  buildResponse,
  decodePacket,
  findAttribute,
  replyMessageAttributes,
  unhidePassword,
  verifyRequest,
  type DropReason,
} from '@radius-mfa/radius-protocol';

/** A tiny RADIUS responder built on the codec, for interop tests with real clients (radclient). */
export interface TestResponder {
  readonly port: number;
  /** drop reasons, in arrival order */
  readonly drops: DropReason[];
  close(): Promise<void>;
}

export async function startTestResponder(options: { secret: Buffer; password: Buffer; requireMessageAuthenticator: boolean }): Promise<TestResponder> {
  const socket: Socket = createSocket('udp4');
  const drops: DropReason[] = [];
  socket.on('message', (datagram, peer) => {
    try {
      const request = decodePacket(datagram);
      if (request.code !== Code.AccessRequest && request.code !== Code.StatusServer) {
        throw new RadiusProtocolError('unexpected_code', `code ${request.code}`);
      }
      verifyRequest(request, { secret: options.secret, requireMessageAuthenticator: options.requireMessageAuthenticator });
      let code: number = Code.AccessAccept;
      if (request.code === Code.AccessRequest) {
        const hidden = findAttribute(request, Attr.UserPassword);
        const clear = hidden === undefined ? undefined : unhidePassword(hidden, options.secret, request.authenticator);
        const matches = clear !== undefined && clear.length === options.password.length && timingSafeEqual(clear, options.password);
        code = matches ? Code.AccessAccept : Code.AccessReject;
      }
      const reply = buildResponse(request, code, replyMessageAttributes(code === Code.AccessAccept ? 'Welcome' : 'Denied'), options.secret);
      socket.send(reply, peer.port, peer.address);
    } catch (error) {
      if (!(error instanceof RadiusProtocolError)) throw error;
      drops.push(error.reason);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return {
    port: socket.address().port,
    drops,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
