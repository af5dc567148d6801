import { timingSafeEqual } from 'node:crypto';
import { HmacMd5 } from './hmac-md5.js';
import { RadiusProtocolError } from './errors.js';
import { AUTHENTICATOR_LENGTH, HEADER_LENGTH } from './limits.js';
import type { RadiusAttribute } from './packet.js';

export const MESSAGE_AUTHENTICATOR_TYPE = 80;
const ZERO_16 = Buffer.alloc(AUTHENTICATOR_LENGTH);
const hmac = new HmacMd5();
const expected = Buffer.alloc(AUTHENTICATOR_LENGTH);

/** Offset of the first Message-Authenticator's value in a structurally valid packet, or -1. */
export function messageAuthenticatorValueOffset(raw: Buffer): number {
  let offset = HEADER_LENGTH;
  while (offset + 2 <= raw.length) {
    const attributeLength = raw[offset + 1]!;
    if (raw[offset] === MESSAGE_AUTHENTICATOR_TYPE) return offset + 2;
    if (attributeLength < 2) return -1;
    offset += attributeLength;
  }
  return -1;
}

/**
 * RFC 3579 §3.2: HMAC-MD5 keyed by the secret over the whole packet with the Message-Authenticator
 * value zeroed and, in the Authenticator field, `authenticator` (the Request Authenticator for
 * Access-* packets, 16 zero octets for Accounting-Request and CoA/Disconnect per RFC 5176 §3.1).
 */
export function computeMessageAuthenticator(raw: Buffer, valueOffset: number, authenticator: Buffer, secret: Buffer): Buffer {
  const out = Buffer.allocUnsafe(AUTHENTICATOR_LENGTH);
  computeInto(out, raw, valueOffset, authenticator, secret);
  return out;
}

function computeInto(out: Buffer, raw: Buffer, valueOffset: number, authenticator: Buffer, secret: Buffer): void {
  hmac
    .start(secret)
    .update(raw, 0, 4)
    .update(authenticator)
    .update(raw, HEADER_LENGTH, valueOffset)
    .update(ZERO_16)
    .update(raw, valueOffset + AUTHENTICATOR_LENGTH)
    .digestInto(out, 0);
}

/** Constant-time check of the Message-Authenticator whose value starts at `valueOffset`. */
export function verifyMessageAuthenticator(raw: Buffer, valueOffset: number, authenticator: Buffer, secret: Buffer): boolean {
  if (valueOffset + AUTHENTICATOR_LENGTH > raw.length) return false;
  computeInto(expected, raw, valueOffset, authenticator, secret);
  return timingSafeEqual(expected, raw.subarray(valueOffset, valueOffset + AUTHENTICATOR_LENGTH));
}

/** Writes the Message-Authenticator into a packet whose header already holds the authenticator to sign over and whose MA value is zero. */
export function signMessageAuthenticator(packet: Buffer, valueOffset: number, secret: Buffer): void {
  hmac.start(secret).update(packet).digestInto(packet, valueOffset);
}

export const ZERO_AUTHENTICATOR: Buffer = ZERO_16;

/**
 * PROTOCOL-CASES 13: at most one Message-Authenticator, and only of length 18.
 * Returns whether there is one; throws RadiusProtocolError('bad_message_authenticator') otherwise.
 */
export function hasWellFormedMessageAuthenticator(attributes: readonly RadiusAttribute[]): boolean {
  let count = 0;
  for (const attribute of attributes) {
    if (attribute.type !== MESSAGE_AUTHENTICATOR_TYPE) continue;
    count++;
    if (attribute.value.length !== AUTHENTICATOR_LENGTH) {
      throw new RadiusProtocolError('bad_message_authenticator', `Message-Authenticator of length ${attribute.value.length + 2}`);
    }
  }
  if (count > 1) throw new RadiusProtocolError('bad_message_authenticator', `${count} Message-Authenticator attributes`);
  return count === 1;
}
