#!/usr/bin/env node
// `npm run bench -- protocol [seconds]`: decode an Access-Request with Message-Authenticator and PAP, verify it,
// unhide the password, build a signed Access-Accept; on one core. The `radius` npm package does the same work
// in the same run for comparison. Needs the built package (`npx tsc -b`). Prints one JSON line last.
import { createRequire } from 'node:module';
import { timingSafeEqual } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import {
  Attr,
  Code,
  buildRequest,
  buildResponse,
  decodePacket,
  findAttribute,
  hidePassword,
  replyMessageAttributes,
  textAttribute,
  unhidePassword,
  verifyRequest,
  verifyResponse,
} from '@radius-mfa/radius-protocol';

const radius = createRequire(import.meta.url)('radius');
const seconds = Number(process.argv[2] ?? 3);
const secret = Buffer.from('bench-shared-secret');
const password = Buffer.from('correct horse battery');
const authenticator = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

const request = buildRequest({
  code: Code.AccessRequest,
  identifier: 17,
  authenticator,
  secret,
  messageAuthenticator: true,
  attributes: [
    textAttribute(Attr.UserName, 'alice@example.com'),
    { type: Attr.UserPassword, value: hidePassword(password, secret, authenticator) },
    { type: Attr.NASIPAddress, value: Buffer.from([10, 0, 0, 1]) },
    textAttribute(Attr.NASIdentifier, 'rdgw-01'),
    textAttribute(Attr.CallingStationId, '203.0.113.9'),
  ],
});
const replyAttributes = replyMessageAttributes('Welcome');
const options = { secret, requireMessageAuthenticator: true };

function ours(datagram) {
  const packet = decodePacket(datagram);
  verifyRequest(packet, options);
  const clear = unhidePassword(findAttribute(packet, Attr.UserPassword), secret, packet.authenticator);
  if (clear.length !== password.length || !timingSafeEqual(clear, password)) throw new Error('password mismatch');
  return buildResponse(packet, Code.AccessAccept, replyAttributes, secret);
}

function theirs(datagram) {
  const packet = radius.decode({ packet: datagram, secret });
  if (packet.attributes['User-Password'] !== password.toString()) throw new Error('password mismatch');
  return radius.encode_response({ packet, code: 'Access-Accept', secret, attributes: [['Reply-Message', 'Welcome']] });
}

/**
 * Warms up the JIT, then counts whole operations for `seconds` of wall time. Returns operations per
 * CPU-second of this process (user + system, all its threads, GC included), which is what one core
 * delivers even when the shared machine is busy, and per wall-clock second, which depends on the load.
 */
function measure(fn) {
  for (let i = 0; i < 20_000; i++) fn(request);
  globalThis.gc?.();
  let operations = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) fn(request);
    operations += 1000;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    perCpuSecond: Math.round(operations / ((cpu.user + cpu.system) / 1e6)),
    perWallSecond: Math.round(operations / (Number(now - start) / 1e9)),
  };
}

// Both must produce an Accept our client accepts, or the comparison is meaningless.
verifyResponse(ours(request), { identifier: 17, authenticator }, secret, { requireMessageAuthenticator: true });
verifyResponse(theirs(request), { identifier: 17, authenticator }, secret, { requireMessageAuthenticator: true });

const ourRate = measure(ours);
const theirRate = measure(theirs);
const [load] = loadavg();
console.log(
  `ours: ${ourRate.perCpuSecond}/CPU-s (${ourRate.perWallSecond}/wall-s), radius 1.1.4: ${theirRate.perCpuSecond}/CPU-s ` +
    `(${theirRate.perWallSecond}/wall-s); ${seconds}s each on one thread, load average ${load.toFixed(2)} on ${cpus().length} cores`,
);
console.log(
  JSON.stringify({
    benchmark: 'protocol',
    decodeVerifyEncodePerSec: ourRate.perCpuSecond,
    radiusPackagePerSec: theirRate.perCpuSecond,
    ratio: Number((ourRate.perCpuSecond / theirRate.perCpuSecond).toFixed(2)),
    wallClock: { decodeVerifyEncodePerSec: ourRate.perWallSecond, radiusPackagePerSec: theirRate.perWallSecond },
    unit: 'operations per CPU-second of one thread',
    goalPerSec: 250_000,
    loadAverage1m: Number(load.toFixed(2)),
    seconds,
  }),
);
