import { Attr, MicrosoftAttr, Vendor, parseVendorSpecific, vendorAttribute, type RadiusPacket } from '@radius-mfa/radius-protocol';
import type { RawAttribute } from '../provider.js';
import { reencryptMppeKeys, type MppeKeyContext } from './mppe-reencrypt.js';

/** Microsoft attributes of an upstream Access-Accept that the NAS needs. */
const FOR_THE_NAS = new Set<number>([
  MicrosoftAttr.MSCHAP2Success,
  MicrosoftAttr.MSMPPEEncryptionPolicy,
  MicrosoftAttr.MSMPPEEncryptionTypes,
  MicrosoftAttr.MSMPPESendKey,
  MicrosoftAttr.MSMPPERecvKey,
]);

/**
 * The reply attributes the NAS gets from an upstream Access-Accept: MS-CHAP2-Success and
 * the MPPE policy as they are, MPPE keys decrypted with the upstream hop's secret and
 * Request Authenticator and encrypted again for the NAS's (RFC 2548 §2.4.2); no keys
 * without a downstream to encrypt them for. Undefined when a key does not decrypt.
 */
export function downstreamReplyAttributes(accept: RadiusPacket, upstream: MppeKeyContext, downstream: MppeKeyContext | undefined): RawAttribute[] | undefined {
  const wanted: RawAttribute[] = [];
  for (const attribute of accept.attributes) {
    if (attribute.type !== Attr.VendorSpecific) continue;
    const vendorSpecific = parseVendorSpecific(attribute.value);
    if (vendorSpecific?.vendorId !== Vendor.Microsoft) continue;
    // One sub-attribute per Vendor-Specific, copied out of the upstream datagram.
    for (const sub of vendorSpecific.attributes) {
      if (FOR_THE_NAS.has(sub.type)) wanted.push(vendorAttribute(Vendor.Microsoft, sub.type, Buffer.from(sub.value)));
    }
  }
  return reencryptMppeKeys(wanted, upstream, downstream);
}

/** The upstream's Reply-Message, if any, for a reject reason. */
export function replyMessageOf(packet: RadiusPacket): string | undefined {
  const parts = packet.attributes.filter((attribute) => attribute.type === Attr.ReplyMessage).map((attribute) => attribute.value.toString('utf8'));
  return parts.length > 0 ? parts.join('') : undefined;
}
