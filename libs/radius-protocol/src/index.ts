export { Code, type CodeValue, isAccessResponse, isResponseCode } from './codes.js';
export { Attr, Vendor, MicrosoftAttr, ADSLForumAttr, attributeDefinitions } from './generated/dictionary.js';
export type { AttributeDefinition, DataType } from './dictionary-types.js';
export { RadiusProtocolError, type DropReason } from './errors.js';
export { MAX_ATTRIBUTES, MAX_PACKET_LENGTH, MIN_PACKET_LENGTH, MAX_ATTRIBUTE_VALUE_LENGTH } from './limits.js';
export { decodePacket, findAttribute, findAttributes, countAttributes, type RadiusAttribute, type RadiusPacket } from './packet.js';
export { verifyRequest, type VerifyRequestOptions } from './verify-request.js';
export { hidePassword, unhidePassword, MAX_PASSWORD_LENGTH } from './password.js';
export { buildResponse } from './response.js';
export { buildRequest, verifyResponse, type BuildRequestOptions, type VerifyResponseOptions } from './request.js';
export { textAttribute, integerAttribute, octetsAttribute, replyMessageAttributes } from './attribute-builders.js';
export { vendorAttribute, parseVendorSpecific } from './vendor-specific.js';
export { verifyChap, chapPasswordValue } from './chap.js';
export { computeMessageAuthenticator, verifyMessageAuthenticator, messageAuthenticatorValueOffset } from './message-authenticator.js';
export { computePacketAuthenticator } from './authenticators.js';
export { attributeDefinition, attributeName, valueName } from './dictionary.js';
export { decodeValue, decodeTypedValue, type AttributeValue, type VendorValue } from './attribute-value.js';
export {
  ntPasswordHash,
  ntPasswordHashHash,
  challengeHash,
  challengeResponse,
  generateNtResponse,
  verifyNtResponse,
  generateAuthenticatorResponse,
  parseMsChap2Response,
  msChap2SuccessValue,
  type MsChap2Response,
} from './mschapv2.js';
export { mppeMasterKey, mppeAsymmetricStartKey, mppeServerKeys } from './mppe.js';
export {
  randomSalt,
  saltEncrypt,
  saltDecrypt,
  encryptMppeKey,
  decryptMppeKey,
  encryptTunnelPassword,
  decryptTunnelPassword,
} from './salt-encryption.js';
export { md4 } from './md4.js';
