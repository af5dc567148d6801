import { Attr, MicrosoftAttr, Vendor, hidePassword, parseMsChap2Response, parseVendorSpecific, vendorAttribute, type RadiusAttribute } from '@radius-mfa/radius-protocol';
import type { FirstFactorRequest } from '../provider.js';

/**
 * Downstream attributes that are never copied upstream: the credentials and the
 * Message-Authenticator are rebuilt for the upstream hop; State and Proxy-State belong
 * to our own conversation with the NAS; EAP is not proxied.
 */
const NOT_PASSED_THROUGH = new Set<number>([
  Attr.UserName,
  Attr.UserPassword,
  Attr.CHAPPassword,
  Attr.CHAPChallenge,
  Attr.State,
  Attr.ProxyState,
  Attr.EAPMessage,
  Attr.MessageAuthenticator,
]);

function isMicrosoftVendorSpecific(attribute: { type: number; value: Buffer }): boolean {
  return attribute.type === Attr.VendorSpecific && parseVendorSpecific(attribute.value)?.vendorId === Vendor.Microsoft;
}

/** MS-CHAP2-Response (RFC 2548 §2.3.2): Ident, Flags, Peer-Challenge(16), Reserved(8), Response(24). */
function msChap2ResponseValue(mschapv2: MsChapV2Credentials): Buffer {
  return Buffer.concat([Buffer.from([mschapv2.ident, 0]), mschapv2.peerChallenge, Buffer.alloc(8), mschapv2.ntResponse]);
}

type MsChapV2Credentials = NonNullable<FirstFactorRequest['mschapv2']>;

/** The first Microsoft sub-attribute of `type` among raw attributes. */
function microsoftValue(attributes: readonly { type: number; value: Buffer }[], type: number): Buffer | undefined {
  for (const attribute of attributes) {
    if (attribute.type !== Attr.VendorSpecific) continue;
    const vendorSpecific = parseVendorSpecific(attribute.value);
    if (vendorSpecific?.vendorId !== Vendor.Microsoft) continue;
    const sub = vendorSpecific.attributes.find((candidate) => candidate.type === type);
    if (sub) return sub.value;
  }
  return undefined;
}

/**
 * MS-CHAPv2 credentials: as the caller parsed them, or read from the NAS's attributes
 * (MS-CHAP-Challenge and MS-CHAP2-Response, RFC 2548 §2.3.2) when it passed only those.
 */
export function msChapV2Credentials(request: FirstFactorRequest): MsChapV2Credentials | undefined {
  if (request.mschapv2) return request.mschapv2;
  const received = request.requestAttributes ?? [];
  const authenticatorChallenge = microsoftValue(received, MicrosoftAttr.MSCHAPChallenge);
  const responseValue = microsoftValue(received, MicrosoftAttr.MSCHAP2Response);
  const response = responseValue === undefined ? undefined : parseMsChap2Response(responseValue);
  const userNameRaw = received.find((attribute) => attribute.type === Attr.UserName)?.value;
  if (authenticatorChallenge?.length !== 16 || !response || userNameRaw === undefined) return undefined;
  return { authenticatorChallenge, peerChallenge: response.peerChallenge, ntResponse: response.ntResponse, ident: response.ident, userNameRaw };
}

/**
 * The attributes of the Access-Request sent upstream (without Message-Authenticator,
 * which buildRequest puts first). `authenticator` is this hop's Request Authenticator.
 */
export function upstreamRequestAttributes(
  request: FirstFactorRequest,
  hop: { secret: Buffer; authenticator: Buffer; userName: 'as-received' | 'normalized' },
): RadiusAttribute[] {
  const received = request.requestAttributes ?? [];
  const receivedUserName = received.find((attribute) => attribute.type === Attr.UserName)?.value;
  const mschapv2 = request.password === undefined && !request.chap ? msChapV2Credentials(request) : undefined;
  // RFC 2759 §8.2: the NT-Response hashes the user name the peer typed; it must reach the upstream unchanged.
  const userName =
    mschapv2?.userNameRaw ??
    (hop.userName === 'as-received' && receivedUserName !== undefined ? receivedUserName : Buffer.from(request.user, 'utf8'));
  const attributes: RadiusAttribute[] = [{ type: Attr.UserName, value: userName }];
  if (request.password !== undefined) {
    attributes.push({ type: Attr.UserPassword, value: hidePassword(request.password, hop.secret, hop.authenticator) });
  } else if (request.chap) {
    attributes.push({ type: Attr.CHAPPassword, value: Buffer.concat([Buffer.from([request.chap.id]), request.chap.response]) });
    // Always explicit: without it the challenge would be our new Request Authenticator (RFC 2865 §5.3).
    attributes.push({ type: Attr.CHAPChallenge, value: request.chap.challenge });
  } else if (mschapv2) {
    attributes.push(vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSCHAPChallenge, mschapv2.authenticatorChallenge));
    attributes.push(vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSCHAP2Response, msChap2ResponseValue(mschapv2)));
  }
  for (const attribute of received) {
    if (NOT_PASSED_THROUGH.has(attribute.type) || isMicrosoftVendorSpecific(attribute)) continue;
    attributes.push({ type: attribute.type, value: attribute.value });
  }
  return attributes;
}
