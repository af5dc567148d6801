/** RFC 2865 §3: a packet is 20..4096 octets. */
export const MIN_PACKET_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const HEADER_LENGTH = 20;
export const AUTHENTICATOR_LENGTH = 16;
/** PROTOCOL-CASES 8: more attributes than any real NAS sends is a resource attack. */
export const MAX_ATTRIBUTES = 200;
/** RFC 2865 §5: Length is one octet and includes the two header octets. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 253;
/** RFC 3579 §3.2: Message-Authenticator is Type, Length and a 16-octet HMAC-MD5. */
export const MESSAGE_AUTHENTICATOR_LENGTH = 18;
