import { describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  MicrosoftAttr,
  RadiusProtocolError,
  Vendor,
  buildRequest,
  buildResponse,
  decodePacket,
  decodeValue,
  hidePassword,
  integerAttribute,
  parseVendorSpecific,
  textAttribute,
  unhidePassword,
  vendorAttribute,
  verifyRequest,
} from '@radius-mfa/radius-protocol';
import { fuzz } from './support/coverage-fuzzer.js';

// Bounded coverage-guided fuzz run of the decoder (CI: FUZZ_SECONDS, default 20).
const seconds = Number(process.env['FUZZ_SECONDS'] ?? 20);
const secret = Buffer.from('fuzz-secret');

function seeds(): Buffer[] {
  const authenticator = Buffer.alloc(16, 3);
  const access = buildRequest({
    code: Code.AccessRequest,
    identifier: 1,
    authenticator,
    secret,
    messageAuthenticator: true,
    attributes: [
      textAttribute(Attr.UserName, 'fuzz'),
      { type: Attr.UserPassword, value: hidePassword(Buffer.from('pw'), secret, authenticator) },
      integerAttribute(Attr.ServiceType, 1),
      { type: Attr.ProxyState, value: Buffer.from('p') },
      vendorAttribute(Vendor.Microsoft, MicrosoftAttr.MSCHAPChallenge, Buffer.alloc(16, 1)),
      { type: Attr.TunnelType, value: Buffer.from([1, 0, 0, 13]) },
      { type: 241, value: Buffer.from([1, 2, 3]) },
      { type: Attr.FramedIPv6Prefix, value: Buffer.from('0040200100000000', 'hex') },
    ],
  });
  const accounting = buildRequest({ code: Code.AccountingRequest, identifier: 2, secret, messageAuthenticator: false, attributes: [integerAttribute(Attr.AcctStatusType, 1)] });
  const status = buildRequest({ code: Code.StatusServer, identifier: 3, secret, messageAuthenticator: true, attributes: [] });
  const accept = buildResponse(decodePacket(access), Code.AccessAccept, [textAttribute(Attr.ReplyMessage, 'hi')], secret);
  return [access, accounting, status, accept, Buffer.alloc(0)];
}

/** Everything the server does with an untrusted datagram before a user is looked up. */
function target(input: Buffer): void {
  let packet;
  try {
    packet = decodePacket(input);
  } catch (error) {
    if (error instanceof RadiusProtocolError) return;
    throw error;
  }
  if (packet.raw.length !== input.readUInt16BE(2)) throw new Error('raw is not Length bytes');
  for (const attribute of packet.attributes) {
    decodeValue(attribute.type, attribute.value);
    if (attribute.type === Attr.VendorSpecific) parseVendorSpecific(attribute.value);
  }
  try {
    verifyRequest(packet, { secret, requireMessageAuthenticator: false });
    const hidden = packet.attributes.find((a) => a.type === Attr.UserPassword);
    if (hidden !== undefined) unhidePassword(hidden.value, secret, packet.authenticator);
  } catch (error) {
    if (!(error instanceof RadiusProtocolError)) throw error;
  }
}

describe('decoder fuzzing (coverage-guided, bounded)', () => {
  it(`finds nothing but RadiusProtocolError in ${seconds}s and reaches blocks the seeds did not`, async () => {
    const report = await fuzz({
      seeds: seeds(),
      target,
      durationMs: seconds * 1000,
      maxLength: 5000,
      coverageFilter: (url) => url.includes('/libs/radius-protocol/src/'),
    });
    console.log(`fuzz: ${report.executions} executions, corpus ${report.corpusSize}, blocks ${report.seedBlocks} -> ${report.coveredBlocks}`);
    expect(report.failures.map((f) => `${f.input.toString('hex')}: ${String(f.error)}`)).toEqual([]);
    expect(report.executions).toBeGreaterThan(1000);
    expect(report.coveredBlocks).toBeGreaterThan(report.seedBlocks);
  }, (seconds + 60) * 1000);
});
