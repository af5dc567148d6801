import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  RadiusProtocolError,
  buildRequest,
  buildResponse,
  decodePacket,
  hidePassword,
  unhidePassword,
  verifyRequest,
  verifyResponse,
} from '@radius-mfa/radius-protocol';
import { HmacMd5 } from '../src/hmac-md5.js';
import { Md5 } from '../src/md5.js';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));

describe('MD5 and HMAC-MD5 agree with node:crypto', () => {
  it('MD5 over any split of any input up to 300 bytes', () => {
    fc.assert(
      fc.property(bytes(0, 300), fc.nat(300), (data, cut) => {
        const at = Math.min(cut, data.length);
        const ours = new Md5().update(data, 0, at).update(data, at).digest();
        expect(ours).toEqual(createHash('md5').update(data).digest());
      }),
      { numRuns: 500 },
    );
  });

  it('HMAC-MD5 for secrets of 0..100 bytes, also after a secret is changed in place', () => {
    const hmac = new HmacMd5();
    fc.assert(
      fc.property(bytes(0, 100), bytes(0, 200), (secret, message) => {
        const out = Buffer.alloc(16);
        hmac.start(secret).update(message).digestInto(out, 0);
        expect(out).toEqual(createHmac('md5', secret).update(message).digest());
        if (secret.length > 0) {
          secret[0] = secret[0]! ^ 0xff;
          hmac.start(secret).update(message).digestInto(out, 0);
          expect(out).toEqual(createHmac('md5', secret).update(message).digest());
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodePacket on arbitrary bytes (property)', () => {
  it('returns a packet or throws RadiusProtocolError, nothing else', () => {
    // Bias towards plausible headers so the attribute walker is reached, not only the Length check.
    const plausible = fc
      .tuple(fc.constantFrom(1, 2, 3, 4, 5, 11, 12, 40, 43, 0, 99), fc.nat(255), bytes(16, 16), bytes(0, 300), fc.integer({ min: -3, max: 3 }))
      .map(([code, id, authenticator, body, skew]) => {
        const header = Buffer.alloc(4);
        header[0] = code;
        header[1] = id;
        header.writeUInt16BE(Math.max(0, Math.min(65535, 20 + body.length + skew)), 2);
        return Buffer.concat([header, authenticator, body]);
      });
    fc.assert(
      fc.property(fc.oneof(bytes(0, 5000), plausible), (datagram) => {
        try {
          const packet = decodePacket(datagram);
          expect(packet.raw.length).toBe(datagram.readUInt16BE(2));
          expect(packet.attributes.length).toBeLessThanOrEqual(200);
          verifyRequest(packet, { secret: Buffer.from('s'), requireMessageAuthenticator: false });
        } catch (error) {
          if (!(error instanceof RadiusProtocolError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

const attribute = fc.record({ type: fc.integer({ min: 1, max: 255 }).filter((t) => t !== Attr.MessageAuthenticator && t !== Attr.ProxyState && t !== Attr.EAPMessage), value: bytes(0, 253) });

describe('encode -> decode round trips (property)', () => {
  it('buildRequest output decodes to the same attributes, in order, and verifies', () => {
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 12 }), fc.nat(255), fc.boolean(), bytes(1, 40), (attributes, identifier, ma, secret) => {
        const datagram = buildRequest({ code: Code.AccessRequest, identifier, attributes, secret, messageAuthenticator: ma });
        const packet = decodePacket(datagram);
        const decoded = packet.attributes.filter((a) => a.type !== Attr.MessageAuthenticator);
        expect(decoded).toEqual(attributes);
        expect(packet.identifier).toBe(identifier);
        verifyRequest(packet, { secret, requireMessageAuthenticator: ma });
      }),
      { numRuns: 300 },
    );
  });

  it('buildResponse output verifies as the client and echoes Proxy-State', () => {
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 8 }), fc.array(bytes(0, 40), { maxLength: 5 }), bytes(1, 40), (attributes, states, secret) => {
        const request = decodePacket(
          buildRequest({
            code: Code.AccessRequest,
            identifier: 1,
            attributes: states.map((value) => ({ type: Attr.ProxyState, value })),
            secret,
            messageAuthenticator: true,
          }),
        );
        const response = verifyResponse(buildResponse(request, Code.AccessAccept, attributes, secret), request, secret, {
          requireMessageAuthenticator: true,
        });
        expect(response.attributes.slice(1)).toEqual([...attributes, ...states.map((value) => ({ type: Attr.ProxyState, value }))]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('User-Password hide -> unhide (property)', () => {
  it('round-trips every length 0..128 (passwords without trailing NUL, which is padding)', () => {
    for (let length = 0; length <= 128; length++) {
      fc.assert(
        fc.property(bytes(length, length), bytes(1, 64), bytes(16, 16), (password, secret, authenticator) => {
          if (length > 0 && password[length - 1] === 0) password[length - 1] = 1;
          const hidden = hidePassword(password, secret, authenticator);
          expect(hidden.length).toBe(Math.max(16, Math.ceil(length / 16) * 16));
          expect(unhidePassword(hidden, secret, authenticator)).toEqual(password);
        }),
        { numRuns: 10 },
      );
    }
  });
});
