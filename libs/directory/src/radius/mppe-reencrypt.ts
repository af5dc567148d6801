import { randomBytes } from 'node:crypto';
import { Attr, MicrosoftAttr, Vendor, decryptMppeKey, encryptMppeKey, parseVendorSpecific, vendorAttribute } from '@radius-mfa/radius-protocol';
import type { RawAttribute } from '../provider.js';

/** The secret and Request Authenticator an MPPE key is encrypted under (RFC 2548 §2.4.2). */
export interface MppeKeyContext {
  secret: Buffer;
  requestAuthenticator: Buffer;
}

const MPPE_KEYS = new Set<number>([MicrosoftAttr.MSMPPESendKey, MicrosoftAttr.MSMPPERecvKey]);

/**
 * Moves MS-MPPE-Send-Key/Recv-Key from one packet's encryption to another's: decrypted
 * under `from`, encrypted under `to`, with fresh salts that differ within the packet.
 * Other attributes are returned unchanged; with no `to`, the keys are left out.
 * Needed whenever the Accept that carries them answers another request than the one the
 * keys were made for (a proxy hop; an Accept after an Access-Challenge round).
 * Undefined when a key does not decrypt (wrong secret or authenticator).
 */
export function reencryptMppeKeys(attributes: readonly RawAttribute[], from: MppeKeyContext, to: MppeKeyContext | undefined): RawAttribute[] | undefined {
  const result: RawAttribute[] = [];
  const salt = randomBytes(2);
  salt[0] = salt[0]! | 0x80;
  for (const attribute of attributes) {
    const vendorSpecific = attribute.type === Attr.VendorSpecific ? parseVendorSpecific(attribute.value) : undefined;
    if (vendorSpecific?.vendorId !== Vendor.Microsoft || !vendorSpecific.attributes.some((sub) => MPPE_KEYS.has(sub.type))) {
      result.push(attribute);
      continue;
    }
    for (const sub of vendorSpecific.attributes) {
      if (!MPPE_KEYS.has(sub.type)) {
        result.push(vendorAttribute(Vendor.Microsoft, sub.type, Buffer.from(sub.value)));
        continue;
      }
      if (!to) continue;
      let key: Buffer;
      try {
        key = decryptMppeKey(sub.value, from.secret, from.requestAuthenticator);
      } catch {
        return undefined;
      }
      salt[1] = (salt[1]! + 1) & 0xff;
      result.push(vendorAttribute(Vendor.Microsoft, sub.type, encryptMppeKey(key, to.secret, to.requestAuthenticator, Buffer.from(salt))));
    }
  }
  return result;
}
