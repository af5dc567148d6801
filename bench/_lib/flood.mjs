#!/usr/bin/env node
// Hostile traffic for fault tests: random datagrams (random length and bytes, some with a
// plausible RADIUS header) and well-formed Access-Requests signed with a wrong secret, sent as
// fast as one process can for `seconds`. Arguments: PORT SECONDS [BIND_ADDRESS].
// Prints the number of datagrams sent as JSON on exit.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes, randomInt } from 'node:crypto';
import { appendLoginAttributes, buildAccessRequest } from './radius-load.mjs';

const [port, seconds, bindAddress = '127.0.0.1'] = process.argv.slice(2);
const socket = createSocket('udp4');
socket.bind(0, bindAddress);
await once(socket, 'listening');
const wrongSecret = 'not-the-shared-secret';
const counts = { random: 0, framed: 0, wrongSecret: 0 };

function hostileDatagram(i) {
  switch (i % 3) {
    case 0:
      counts.random++;
      return randomBytes(randomInt(0, 4200));
    case 1: {
      // A header that passes framing (code 1, a Length that fits) over random attributes.
      counts.framed++;
      const length = randomInt(20, 1500);
      const datagram = randomBytes(length);
      datagram[0] = 1;
      datagram.writeUInt16BE(length, 2);
      return datagram;
    }
    default:
      counts.wrongSecret++;
      return buildAccessRequest(Buffer.from(wrongSecret), i & 0xff, appendLoginAttributes(wrongSecret, `flood${i}`, ',123456')).datagram;
  }
}

const deadline = performance.now() + Number(seconds) * 1000;
let i = 0;
let inFlight = 0;
while (performance.now() < deadline) {
  // Bounded sends in flight: the kernel drops what the ingress cannot read, as on a real link.
  if (inFlight > 512) {
    await new Promise((r) => setImmediate(r));
    continue;
  }
  inFlight++;
  socket.send(hostileDatagram(i++), Number(port), '127.0.0.1', () => inFlight--);
  if (i % 256 === 0) await new Promise((r) => setImmediate(r));
}
socket.close();
console.log(JSON.stringify({ sent: i, ...counts }));
