// Real RADIUS peers from Debian (freeradius-utils: radclient, radtest) against a running ingress,
// with a stand-in worker that checks what arrived and answers Access-Accept.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '@radius-mfa/testing';
import { Attr, Code, decodePacket, findAttribute, verifyChap } from '@radius-mfa/radius-protocol';
import { createSealer } from '@radius-mfa/mfa';
import { SEALING_KEY, SECRET, startStandInWorker, startTestIngress, testConfig, type StandInWorker, type TestIngress } from './harness.js';

let redis: RedisHandle;
let worker: StandInWorker;
let ingress: TestIngress;
const sealer = createSealer([{ id: 'k1', key: Buffer.from(SEALING_KEY, 'base64') }]);

function run(command: string, args: string[], input = ''): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

/** The attribute names of the received reply, in order, from radclient's -x output. */
function receivedAttributes(output: string): string[] {
  const received = output.slice(output.indexOf('Received '));
  return received
    .split('\n')
    .slice(1)
    .filter((line) => line.startsWith('\t'))
    .map((line) => line.trim().split(' = ')[0]!);
}

beforeAll(async () => {
  redis = await startRedis();
  const prefix = redis.prefix();
  worker = await startStandInWorker(redis, prefix, { autoAnswer: { code: Code.AccessAccept, message: 'welcome' } });
  ingress = await startTestIngress(testConfig(redis, prefix), { drainTimeoutMs: 2_000 });
});

afterAll(async () => {
  await ingress?.stop();
  await worker?.close();
  await redis?.stop();
});

describe('radclient (freeradius-utils)', () => {
  it('PAP with Message-Authenticator and two Proxy-States: Accept, Message-Authenticator first, Proxy-States echoed in order', async () => {
    const { code, output } = await run(
      'radclient',
      ['-x', '-r', '3', '-t', '5', `127.0.0.1:${ingress.authPort}`, 'auth', SECRET],
      'User-Name = alice, User-Password = "correct horse", Message-Authenticator = 0x00, Proxy-State = 0x6f6e65, Proxy-State = 0x74776f\n',
    );
    expect(code, output).toBe(0);
    expect(output).toContain('Received Access-Accept');
    const attributes = receivedAttributes(output);
    expect(attributes[0]).toBe('Message-Authenticator');
    expect(output.slice(output.indexOf('Received ')).match(/Proxy-State = 0x[0-9a-f]+/g)).toEqual(['Proxy-State = 0x6f6e65', 'Proxy-State = 0x74776f']);
  });

  it('CHAP: the sealed request reaches the worker intact (the CHAP response verifies)', async () => {
    const before = worker.jobs.length;
    const { code, output } = await run(
      'radclient',
      ['-x', '-r', '3', '-t', '5', `127.0.0.1:${ingress.authPort}`, 'auth', SECRET],
      'User-Name = bob, CHAP-Password = "chap secret", Message-Authenticator = 0x00\n',
    );
    expect(code, output).toBe(0);
    expect(output).toContain('Received Access-Accept');
    const job = worker.jobs[before]!;
    const request = decodePacket(sealer.unseal(Buffer.from(job.sealedRequest, 'base64'), job.txn));
    const challenge = findAttribute(request, Attr.CHAPChallenge) ?? request.authenticator;
    expect(verifyChap(Buffer.from('chap secret'), findAttribute(request, Attr.CHAPPassword)!, challenge)).toBe(true);
  });

  it('Status-Server: one Access-Accept', async () => {
    const { code, output } = await run('radclient', ['-x', '-r', '3', '-t', '5', `127.0.0.1:${ingress.authPort}`, 'status', SECRET], 'Message-Authenticator = 0x00\n');
    expect(code, output).toBe(0);
    expect(output).toContain('Received Access-Accept');
    expect(receivedAttributes(output)).toEqual(['Message-Authenticator']);
  });

  it('without Message-Authenticator: silence (the BlastRADIUS default)', async () => {
    const before = await ingress.counter('radius_packets_dropped_total', { reason: 'missing_message_authenticator' });
    const { code, output } = await run('radclient', ['-r', '1', '-t', '2', `127.0.0.1:${ingress.authPort}`, 'auth', SECRET], 'User-Name = alice, User-Password = pw\n');
    expect(code).not.toBe(0);
    expect(output).not.toContain('Received');
    expect(await ingress.counter('radius_packets_dropped_total', { reason: 'missing_message_authenticator' })).toBe(before + 1);
  });

  it('a wrong secret: silence', async () => {
    const { code, output } = await run('radclient', ['-r', '1', '-t', '2', `127.0.0.1:${ingress.authPort}`, 'auth', 'not-the-secret'], 'User-Name = alice, User-Password = pw, Message-Authenticator = 0x00\n');
    expect(code).not.toBe(0);
    expect(output).not.toContain('Received');
  });
});

describe('radtest (freeradius-utils)', () => {
  for (const type of ['pap', 'chap']) {
    it(`${type.toUpperCase()}: Access-Accept`, async () => {
      const { code, output } = await run('radtest', ['-t', type, 'carol', 'pw', `127.0.0.1:${ingress.authPort}`, '0', SECRET]);
      expect(code, output).toBe(0);
      expect(output).toContain('Received Access-Accept');
    });
  }
});
