import { describe, expect, it } from 'vitest';
import {
  challengeHash,
  decryptMppeKey,
  decryptTunnelPassword,
  encryptMppeKey,
  encryptTunnelPassword,
  generateAuthenticatorResponse,
  generateNtResponse,
  md4,
  mppeAsymmetricStartKey,
  mppeMasterKey,
  mppeServerKeys,
  msChap2SuccessValue,
  ntPasswordHash,
  ntPasswordHashHash,
  parseMsChap2Response,
  verifyNtResponse,
} from '@radius-mfa/radius-protocol';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('MD4 (RFC 1320 §A.5 test suite)', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ])('MD4(%j)', (input, digest) => {
    expect(md4(Buffer.from(input)).toString('hex')).toBe(digest);
  });
});

// RFC 2759 §9.2 sample data.
const userName = Buffer.from('User');
const password = 'clientPass';
const authenticatorChallenge = hex('5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28');
const peerChallenge = hex('21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E');
const ntResponse = hex('82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF');

describe('MS-CHAPv2 (RFC 2759 §9.2 vectors)', () => {
  const ntHash = ntPasswordHash(password);

  it('derives Challenge, PasswordHash, NT-Response, PasswordHashHash and AuthenticatorResponse', () => {
    expect(challengeHash(peerChallenge, authenticatorChallenge, userName)).toEqual(hex('D0 2E 43 86 BC E9 12 26'));
    expect(ntHash).toEqual(hex('44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE'));
    expect(generateNtResponse(authenticatorChallenge, peerChallenge, userName, ntHash)).toEqual(ntResponse);
    expect(ntPasswordHashHash(ntHash)).toEqual(hex('41 C0 0C 58 4B D2 D9 1C 40 17 A2 A1 2F A5 9F 3F'));
    expect(generateAuthenticatorResponse(ntHash, ntResponse, peerChallenge, authenticatorChallenge, userName)).toBe(
      'S=407A5589115FD0D6209F510FE9C04566932CDA56',
    );
  });

  it('verifies the NT-Response from the NT hash and refuses a wrong password, user or length', () => {
    expect(verifyNtResponse(ntHash, authenticatorChallenge, peerChallenge, userName, ntResponse)).toBe(true);
    expect(verifyNtResponse(ntPasswordHash('clientPasS'), authenticatorChallenge, peerChallenge, userName, ntResponse)).toBe(false);
    expect(verifyNtResponse(ntHash, authenticatorChallenge, peerChallenge, Buffer.from('user'), ntResponse)).toBe(false);
    expect(verifyNtResponse(ntHash, authenticatorChallenge, peerChallenge, userName, ntResponse.subarray(1))).toBe(false);
  });

  it('parses MS-CHAP2-Response and builds MS-CHAP2-Success', () => {
    const value = Buffer.concat([Buffer.from([7, 0]), peerChallenge, Buffer.alloc(8), ntResponse]);
    expect(parseMsChap2Response(value)).toEqual({ ident: 7, flags: 0, peerChallenge, ntResponse });
    expect(parseMsChap2Response(value.subarray(1))).toBeUndefined();
    expect(msChap2SuccessValue(7, 'S=00')).toEqual(Buffer.from('\x07S=00', 'latin1'));
  });
});

describe('MPPE keys (RFC 3079 §3.5.3, 128-bit)', () => {
  const ntHash = ntPasswordHash(password);

  it('derives the master key and the start keys of the sample', () => {
    const masterKey = mppeMasterKey(ntHash, ntResponse);
    expect(masterKey).toEqual(hex('FD EC E3 71 7A 8C 83 8C B3 88 E5 27 AE 3C DD 31'));
    // The sample's SendStartKey128 is the server's send key (= the client's receive key).
    const { sendKey, recvKey } = mppeServerKeys(ntHash, ntResponse);
    expect(sendKey).toEqual(hex('8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB'));
    expect(mppeAsymmetricStartKey(masterKey, 16, false, false)).toEqual(sendKey);
    expect(recvKey).toEqual(mppeAsymmetricStartKey(masterKey, 16, true, false));
    expect(recvKey).not.toEqual(sendKey);
  });
});

describe('salt encryption (RFC 2548 §2.4.2, RFC 2868 §3.5)', () => {
  const secret = Buffer.from('salt-secret');
  const requestAuthenticator = hex('0102030405060708090a0b0c0d0e0f10');

  it('round-trips MPPE keys with the salt in front and a length octet inside', () => {
    const key = Buffer.alloc(16, 0xaa);
    const value = encryptMppeKey(key, secret, requestAuthenticator, hex('8001'));
    expect(value.length).toBe(2 + 32);
    expect(value.subarray(0, 2)).toEqual(hex('8001'));
    expect(decryptMppeKey(value, secret, requestAuthenticator)).toEqual(key);
    expect(decryptMppeKey(encryptMppeKey(key, secret, requestAuthenticator), secret, requestAuthenticator)).toEqual(key);
    const random = encryptMppeKey(key, secret, requestAuthenticator);
    expect(random[0]! & 0x80).toBe(0x80);
  });

  it('round-trips Tunnel-Password with its tag for every length 0..100', () => {
    for (let length = 0; length <= 100; length++) {
      const password = Buffer.alloc(length, length);
      const value = encryptTunnelPassword(password, secret, requestAuthenticator, 3);
      expect(value[0]).toBe(3);
      expect(decryptTunnelPassword(value, secret, requestAuthenticator)).toEqual({ tag: 3, password });
    }
  });

  it('refuses malformed values and salts', () => {
    expect(() => decryptMppeKey(Buffer.alloc(17), secret, requestAuthenticator)).toThrow(expect.objectContaining({ reason: 'malformed_attribute' }));
    expect(() => encryptMppeKey(Buffer.alloc(16), secret, requestAuthenticator, hex('0001'))).toThrow(expect.objectContaining({ reason: 'malformed_attribute' }));
  });
});
