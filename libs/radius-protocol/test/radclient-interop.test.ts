import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestResponder, type TestResponder } from './support/test-responder.js';

// radclient from Debian freeradius-utils (listed in .ci/apt-packages) against a responder built on the codec.
const secret = 'interop-secret';
let responder: TestResponder;

interface RadclientResult {
  status: number | null;
  output: string;
}

function radclient(command: 'auth' | 'status', input: string): Promise<RadclientResult> {
  return new Promise((resolve, reject) => {
    // -x prints the reply's attributes; one try with a generous timeout, so a dropped request ends the run.
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '5', `127.0.0.1:${responder.port}`, command, secret]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  responder = await startTestResponder({ secret: Buffer.from(secret), password: Buffer.from('s3cr3t pass'), requireMessageAuthenticator: true });
});
afterAll(async () => {
  await responder.close();
});

describe('radclient (freeradius-utils) against the codec', () => {
  it('gets a verified Access-Accept with Message-Authenticator and Reply-Message for the right password', async () => {
    const result = await radclient('auth', 'User-Name = "alice"\nUser-Password = "s3cr3t pass"\nMessage-Authenticator = 0x00\n');
    expect(result.output).toMatch(/Received Access-Accept/);
    expect(result.output).toMatch(/Message-Authenticator = 0x[0-9a-f]{32}/);
    expect(result.output).toMatch(/Reply-Message = "Welcome"/);
    expect(result.status).toBe(0);
  });

  it('gets an Access-Reject for a wrong password', async () => {
    const result = await radclient('auth', 'User-Name = "alice"\nUser-Password = "wrong"\nMessage-Authenticator = 0x00\n');
    expect(result.output).toMatch(/Received Access-Reject/);
    expect(result.output).toMatch(/Reply-Message = "Denied"/);
  });

  it('gets Proxy-State echoed unchanged and in order', async () => {
    const result = await radclient(
      'auth',
      'User-Name = "alice"\nUser-Password = "s3cr3t pass"\nProxy-State = 0x6f6e65\nProxy-State = 0x74776f\nMessage-Authenticator = 0x00\n',
    );
    expect(result.output).toMatch(/Received Access-Accept/);
    expect(result.output).toMatch(/Proxy-State = 0x6f6e65[\s\S]*Proxy-State = 0x74776f/);
  });

  it('gets an answer to Status-Server', async () => {
    const result = await radclient('status', 'Message-Authenticator = 0x00\n');
    expect(result.output).toMatch(/Received Access-Accept/);
    expect(result.status).toBe(0);
  });

  it('gets no reply without Message-Authenticator, and the responder counts the drop', async () => {
    const before = responder.drops.length;
    const result = await radclient('auth', 'User-Name = "alice"\nUser-Password = "s3cr3t pass"\n');
    expect(result.output).not.toMatch(/Received Access-/);
    expect(result.status).not.toBe(0);
    expect(responder.drops.slice(before)).toContain('missing_message_authenticator');
  });
});
