// The front-door drop rules of PROTOCOL-CASES sent from the client's own address: each is silence,
// a counter, and decided before anything reaches Redis.
import { randomBytes } from 'node:crypto';
import { Attr, Code, buildRequest } from '@radius-mfa/radius-protocol';
import { SECRET, accessRequest } from './harness.js';

export interface DropCase {
  /** The PROTOCOL-CASES number and what the packet is. */
  readonly rule: string;
  /** Its `radius_packets_dropped_total` reason. */
  readonly reason: string;
  readonly packet: () => Buffer;
  readonly port?: 'accounting';
}

/** A raw RADIUS packet with the given header fields and attribute bytes (for malformed input). */
export function rawPacket(code: number, attributes: Buffer, length?: number): Buffer {
  const header = Buffer.alloc(20);
  header[0] = code;
  header[1] = 1;
  header.writeUInt16BE(length ?? 20 + attributes.length, 2);
  randomBytes(16).copy(header, 4);
  return Buffer.concat([header, attributes]);
}

/** Appends attribute bytes the encoder would refuse to write, fixing the Length field. */
export function withRawAttribute(packet: Buffer, attribute: Buffer): Buffer {
  const result = Buffer.concat([packet, attribute]);
  result.writeUInt16BE(result.length, 2);
  return result;
}

export const FRONT_DOOR_DROP_CASES: readonly DropCase[] = [
  { rule: '1 empty datagram', reason: 'malformed_packet', packet: () => Buffer.alloc(0) },
  { rule: '1 one byte', reason: 'malformed_packet', packet: () => Buffer.from([1]) },
  { rule: '1 nineteen bytes', reason: 'malformed_packet', packet: () => rawPacket(1, Buffer.alloc(0)).subarray(0, 19) },
  { rule: '2 Length below 20', reason: 'bad_length', packet: () => rawPacket(1, Buffer.alloc(0), 19) },
  { rule: '2 Length above 4096', reason: 'bad_length', packet: () => rawPacket(1, Buffer.alloc(4080), 4097) },
  { rule: '2 Length beyond the datagram', reason: 'bad_length', packet: () => rawPacket(1, Buffer.alloc(10), 40) },
  { rule: '4 unknown code', reason: 'unknown_code', packet: () => rawPacket(99, Buffer.alloc(0)) },
  { rule: '4 Access-Accept sent to the server', reason: 'unexpected_code', packet: () => rawPacket(Code.AccessAccept, Buffer.alloc(0)) },
  { rule: '4 Access-Challenge sent to the server', reason: 'unexpected_code', packet: () => rawPacket(Code.AccessChallenge, Buffer.alloc(0)) },
  {
    rule: '5 Accounting-Request on the auth port',
    reason: 'wrong_port',
    packet: () => buildRequest({ code: Code.AccountingRequest, identifier: 1, attributes: [], secret: Buffer.from(SECRET), messageAuthenticator: false }),
  },
  {
    rule: '5 CoA-Request over UDP',
    reason: 'wrong_port',
    packet: () => buildRequest({ code: Code.CoARequest, identifier: 1, attributes: [], secret: Buffer.from(SECRET), messageAuthenticator: false }),
  },
  { rule: '5 Access-Request on the accounting port', reason: 'wrong_port', packet: () => accessRequest(), port: 'accounting' },
  { rule: '7 attribute length 0', reason: 'malformed_attribute', packet: () => rawPacket(1, Buffer.from([1, 0, 0x61])) },
  { rule: '7 attribute length 1', reason: 'malformed_attribute', packet: () => rawPacket(1, Buffer.from([1, 1, 0x61])) },
  { rule: '7 attribute type 0', reason: 'malformed_attribute', packet: () => rawPacket(1, Buffer.from([0, 3, 0x61])) },
  { rule: '7 attribute running past the end', reason: 'malformed_attribute', packet: () => rawPacket(1, Buffer.from([1, 9, 0x61])) },
  { rule: '7 one trailing byte', reason: 'malformed_attribute', packet: () => rawPacket(1, Buffer.from([1, 3, 0x61, 1])) },
  { rule: '8 more than 200 attributes', reason: 'too_many_attributes', packet: () => accessRequest({ attributes: Array.from({ length: 201 }, () => ({ type: Attr.Class, value: Buffer.from('x') })) }) },
  { rule: '11 no Message-Authenticator while required', reason: 'missing_message_authenticator', packet: () => accessRequest({ messageAuthenticator: false }) },
  {
    rule: '13 Message-Authenticator of length 17',
    reason: 'bad_message_authenticator',
    packet: () => withRawAttribute(accessRequest({ messageAuthenticator: false }), Buffer.concat([Buffer.from([Attr.MessageAuthenticator, 17]), Buffer.alloc(15)])),
  },
  {
    rule: '13 two Message-Authenticators',
    reason: 'bad_message_authenticator',
    packet: () => withRawAttribute(accessRequest(), Buffer.concat([Buffer.from([Attr.MessageAuthenticator, 18]), Buffer.alloc(16)])),
  },
  {
    rule: '13 wrong Message-Authenticator',
    reason: 'bad_message_authenticator',
    packet: () => {
      const packet = accessRequest();
      packet[30] = packet[30]! ^ 1;
      return packet;
    },
  },
  { rule: '13 wrong secret', reason: 'bad_message_authenticator', packet: () => accessRequest({ secret: 'another-secret' }) },
  {
    rule: '27 Proxy-States that cannot be echoed within 4096 bytes',
    reason: 'response_too_large',
    packet: () =>
      accessRequest({
        user: 'u',
        password: 'p',
        attributes: [...Array.from({ length: 15 }, () => ({ type: Attr.ProxyState, value: Buffer.alloc(253, 1) })), { type: Attr.ProxyState, value: Buffer.alloc(206, 2) }],
      }),
  },
];
