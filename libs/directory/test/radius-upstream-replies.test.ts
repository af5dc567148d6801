import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Code, buildResponse, computePacketAuthenticator, decodePacket, type RadiusPacket } from '@radius-mfa/radius-protocol';
import { RadiusProvider } from '@radius-mfa/directory';

const SECRET = Buffer.from('upstream-secret');
const signal = (): AbortSignal => AbortSignal.timeout(20_000);

/** A Reject without Message-Authenticator, as FreeRADIUS 3.2.1 and older NPS send them. */
function rejectWithoutMessageAuthenticator(request: RadiusPacket, secret: Buffer): Buffer {
  const packet = Buffer.alloc(20);
  packet[0] = Code.AccessReject;
  packet[1] = request.identifier;
  packet.writeUInt16BE(20, 2);
  computePacketAuthenticator(packet, request.authenticator, secret).copy(packet, 4);
  return packet;
}

/** A scripted upstream: `answer` returns the datagrams to send back for each request. */
async function fakeUpstream(answer: (request: RadiusPacket) => Buffer[]): Promise<{ server: string; requests: RadiusPacket[]; socket: Socket }> {
  const socket = createSocket('udp4');
  const requests: RadiusPacket[] = [];
  socket.on('message', (datagram: Buffer, remote: RemoteInfo) => {
    const request = decodePacket(Buffer.from(datagram));
    requests.push(request);
    for (const reply of answer(request)) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { server: `udp://127.0.0.1:${socket.address().port}`, requests, socket };
}

describe('RadiusProvider and what the upstream sends back', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  it('discards a forged reply (wrong secret) and takes the genuine one that follows', async () => {
    const upstream = await fakeUpstream((request) => [
      buildResponse(request, Code.AccessAccept, [], Buffer.from('attacker-guess')),
      buildResponse(request, Code.AccessReject, [], SECRET),
    ]);
    sockets.push(upstream.socket);
    const radius = new RadiusProvider({ servers: [upstream.server], secret: SECRET, timeoutSeconds: 5, retries: 0 });
    const result = await radius.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() });
    expect(result.outcome).toBe('reject');
    await radius.close();
  });

  it('sends Message-Authenticator first in every upstream request', async () => {
    const upstream = await fakeUpstream((request) => [buildResponse(request, Code.AccessReject, [], SECRET)]);
    sockets.push(upstream.socket);
    const radius = new RadiusProvider({ servers: [upstream.server], secret: SECRET, timeoutSeconds: 5, retries: 0 });
    await radius.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() });
    expect(upstream.requests[0]!.attributes[0]!.type).toBe(80);
    await radius.close();
  });

  it('refuses a reply without Message-Authenticator by default (BlastRADIUS), and takes it only when told to', async () => {
    const upstream = await fakeUpstream((request) => [rejectWithoutMessageAuthenticator(request, SECRET)]);
    sockets.push(upstream.socket);
    const lenient = new RadiusProvider({ servers: [upstream.server], secret: SECRET, timeoutSeconds: 1, retries: 0, requireMessageAuthenticator: false });
    expect((await lenient.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() })).outcome).toBe('reject');
    const strict = new RadiusProvider({ servers: [upstream.server], secret: SECRET, timeoutSeconds: 1, retries: 0 });
    expect((await strict.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() })).outcome).toBe('unavailable');
    await lenient.close();
    await strict.close();
  });

  it('does not relay an upstream Access-Challenge', async () => {
    const upstream = await fakeUpstream((request) => [buildResponse(request, Code.AccessChallenge, [], SECRET)]);
    sockets.push(upstream.socket);
    const radius = new RadiusProvider({ servers: [upstream.server], secret: SECRET, timeoutSeconds: 5, retries: 0 });
    const result = await radius.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() });
    expect(result).toEqual({ outcome: 'reject', reason: 'upstream RADIUS sent Access-Challenge, which is not proxied' });
    await radius.close();
  });

  it('tries a server that just failed after the others, until its dead time is over', async () => {
    const silent = await fakeUpstream(() => []);
    const live = await fakeUpstream((request) => [buildResponse(request, Code.AccessReject, [], SECRET)]);
    sockets.push(silent.socket, live.socket);
    const radius = new RadiusProvider({ servers: [silent.server, live.server], secret: SECRET, timeoutSeconds: 1, retries: 0, deadTimeSeconds: 600 });
    await radius.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() });
    await radius.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: signal() });
    expect(silent.requests).toHaveLength(1);
    expect(live.requests).toHaveLength(2);
    await radius.close();
  });

  it('answers unavailable at once when the caller aborts', async () => {
    const silent = await fakeUpstream(() => []);
    sockets.push(silent.socket);
    const radius = new RadiusProvider({ servers: [silent.server], secret: SECRET, timeoutSeconds: 60, retries: 3 });
    const controller = new AbortController();
    const pending = radius.authenticate({ user: 'alice', password: Buffer.from('pw') }, { signal: controller.signal });
    controller.abort();
    expect(await pending).toEqual({ outcome: 'unavailable', reason: 'upstream RADIUS request aborted' });
    await radius.close();
  });
});
