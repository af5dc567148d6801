// The demo's phone: the webhook push notifier of the demo config points here (loopback, a free
// port), and each push, its signature checked as a real receiver would, is handed on to be printed.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature, type PushNotification } from '@radius-mfa/mfa';

export interface DemoPushReceiver {
  /** For mfa.push.notifier.url. */
  readonly url: string;
  /** For mfa.push.notifier.signingSecret: made per run, as the config is. */
  readonly signingSecret: string;
  close(): Promise<void>;
}

/** A push payload is a few hundred bytes; anything far larger is not one. */
const MAX_BODY_BYTES = 16 * 1024;
const FIELDS = ['challengeId', 'user', 'client', 'callingStationId', 'approveUrl', 'denyUrl', 'expiresAt'] as const;

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.once('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    request.once('error', reject);
  });
}

/** The CONTRACT.md payload, or undefined when a field is missing or not text. */
function parsePush(body: Buffer): PushNotification | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  return FIELDS.every((field) => typeof record[field] === 'string') ? (record as unknown as PushNotification) : undefined;
}

export async function startDemoPushReceiver(onPush: (push: PushNotification) => void): Promise<DemoPushReceiver> {
  const signingSecret = randomBytes(24).toString('base64url');
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'POST') return void response.writeHead(405, { allow: 'POST' }).end();
    const body = await readBody(request);
    if (body === undefined) return void response.writeHead(413).end();
    const signed = verifyWebhookSignature(body, { signature: request.headers[SIGNATURE_HEADER.toLowerCase()], timestamp: request.headers[TIMESTAMP_HEADER.toLowerCase()] }, signingSecret);
    if (!signed) return void response.writeHead(401).end();
    const push = parsePush(body);
    if (!push) return void response.writeHead(400).end();
    response.writeHead(204).end();
    onPush(push);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(400).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/push`,
    signingSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
