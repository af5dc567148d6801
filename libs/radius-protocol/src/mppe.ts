import { createHash } from 'node:crypto';
import { ntPasswordHashHash } from './mschapv2.js';

/** RFC 3079 §3.4 magic constants. */
const MAGIC_MASTER_KEY = Buffer.from('This is the MPPE Master Key', 'ascii');
const MAGIC_CLIENT_SEND = Buffer.from('On the client side, this is the send key; on the server side, it is the receive key.', 'ascii');
const MAGIC_CLIENT_RECEIVE = Buffer.from('On the client side, this is the receive key; on the server side, it is the send key.', 'ascii');
const SHS_PAD_1 = Buffer.alloc(40, 0x00);
const SHS_PAD_2 = Buffer.alloc(40, 0xf2);

/** RFC 3079 §3.4 GetMasterKey: 16 octets of SHA1(PasswordHashHash + NT-Response + magic). */
export function mppeMasterKey(ntHash: Buffer, ntResponse: Buffer): Buffer {
  return createHash('sha1').update(ntPasswordHashHash(ntHash)).update(ntResponse).update(MAGIC_MASTER_KEY).digest().subarray(0, 16);
}

/** RFC 3079 §3.4 GetAsymmetricStartKey: the send or receive key of the client or the server side. */
export function mppeAsymmetricStartKey(masterKey: Buffer, keyLength: number, isSend: boolean, isServer: boolean): Buffer {
  const magic = isSend === isServer ? MAGIC_CLIENT_RECEIVE : MAGIC_CLIENT_SEND;
  return createHash('sha1').update(masterKey).update(SHS_PAD_1).update(magic).update(SHS_PAD_2).digest().subarray(0, keyLength);
}

/**
 * The server's MS-MPPE-Send-Key and MS-MPPE-Recv-Key (RFC 2548 §2.4.2-2.4.3) for an MS-CHAPv2 login:
 * 16-octet (128-bit) keys by default, as RFC 3079 §3.5 derives them.
 */
export function mppeServerKeys(ntHash: Buffer, ntResponse: Buffer, keyLength = 16): { sendKey: Buffer; recvKey: Buffer } {
  const masterKey = mppeMasterKey(ntHash, ntResponse);
  return {
    sendKey: mppeAsymmetricStartKey(masterKey, keyLength, true, true),
    recvKey: mppeAsymmetricStartKey(masterKey, keyLength, false, true),
  };
}
