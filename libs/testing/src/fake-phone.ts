import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A phone for tests: a local HTTP server that receives push webhooks, SMS/voice code webhooks and
 * ntfy publications, checks webhook signatures, and answers pushes by POSTing to the approve and
 * deny URLs they carry, as a person's phone would.
 *
 * Signatures are checked by its own code (not @radius-mfa/mfa's), so a test proves the sender
 * signs what an independent receiver expects.
 */

export interface ReceivedPush {
  readonly challengeId: string;
  readonly user: string;
  readonly client: string;
  readonly callingStationId: string;
  readonly approveUrl: string;
  readonly denyUrl: string;
  readonly expiresAt: string;
  /** Every field as received, to prove what is NOT in it. */
  readonly raw: Record<string, unknown>;
  readonly rawBody: string;
  readonly headers: IncomingHttpHeaders;
}

export interface ReceivedCode {
  readonly user: string;
  readonly phone: string | null;
  readonly channel: string;
  readonly code: string;
  readonly headers: IncomingHttpHeaders;
}

export interface ReceivedNtfy {
  readonly path: string;
  readonly message: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
}

export interface RejectedRequest {
  readonly path: string;
  readonly reason: 'bad-signature' | 'bad-json';
  readonly headers: IncomingHttpHeaders;
}

export interface ApprovalAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface FakePhoneOptions {
  /**
   * When set, webhooks must carry `X-Radius-Mfa-Timestamp` (Unix seconds, within 300 s of this
   * clock) and `X-Radius-Mfa-Signature: sha256=<hex HMAC of "<timestamp>.<body>">`.
   */
  readonly signingSecret?: string;
  /** This phone's clock in Unix ms (Date.now by default), to test a replay outside the tolerance. */
  readonly now?: () => number;
}

export interface FakePhone {
  readonly url: string;
  /** Push webhook target (`mfa.push.notifier.url` for type webhook). */
  readonly pushUrl: string;
  /** Code webhook target (`mfa.sms.sender.url`). */
  readonly codeUrl: string;
  /** ntfy server root (`mfa.push.notifier.url` for type ntfy). */
  readonly ntfyUrl: string;
  readonly pushes: readonly ReceivedPush[];
  readonly codes: readonly ReceivedCode[];
  readonly ntfyMessages: readonly ReceivedNtfy[];
  readonly rejected: readonly RejectedRequest[];
  /** The next push not yet taken (waits for it). */
  nextPush(timeoutMs?: number): Promise<ReceivedPush>;
  nextCode(timeoutMs?: number): Promise<ReceivedCode>;
  nextNtfy(timeoutMs?: number): Promise<ReceivedNtfy>;
  /** Answer the next incoming webhooks with this status (e.g. 503), or 'hang' (never answer). */
  failWith(answer: number | 'hang' | undefined): void;
  approve(push: Pick<ReceivedPush, 'approveUrl'>, number?: number): Promise<ApprovalAnswer>;
  deny(push: Pick<ReceivedPush, 'denyUrl'>, options?: { fraud?: boolean }): Promise<ApprovalAnswer>;
  close(): Promise<void>;
}

/** Items in arrival order; each `take` gets the next one not taken, waiting if needed. */
class Inbox<T> {
  readonly all: T[] = [];
  private taken = 0;
  private waiters: ((item: T) => void)[] = [];

  put(item: T): void {
    this.all.push(item);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.taken += 1;
      waiter(item);
    }
  }

  take(what: string, timeoutMs: number): Promise<T> {
    if (this.taken < this.all.length) return Promise.resolve(this.all[this.taken++]!);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`fake phone: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (item: T): void => {
        clearTimeout(timer);
        resolve(item);
      };
      this.waiters.push(waiter);
    });
  }
}

/** Seconds a webhook's signed timestamp may differ from this clock, either way (the documented default). */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/** docs/operations.md "Webhook receivers": HMAC-SHA256 over "<timestamp>.<raw body>", timestamp fresh. */
function signatureValid(body: string, headers: IncomingHttpHeaders, secret: string, nowSeconds: number): boolean {
  const header = headers['x-radius-mfa-signature'];
  const timestamp = headers['x-radius-mfa-timestamp'];
  if (typeof header !== 'string' || typeof timestamp !== 'string' || !/^[0-9]+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function postJson(url: string, body: unknown): Promise<ApprovalAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body: parsed };
}

export async function startFakePhone(options: FakePhoneOptions = {}): Promise<FakePhone> {
  const pushes = new Inbox<ReceivedPush>();
  const codes = new Inbox<ReceivedCode>();
  const ntfy = new Inbox<ReceivedNtfy>();
  const rejected: RejectedRequest[] = [];
  let failure: number | 'hang' | undefined;
  const hanging = new Set<ServerResponse>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://phone').pathname;
    const body = await readBody(request);
    if (failure === 'hang') {
      hanging.add(response);
      return;
    }
    if (failure !== undefined) {
      response.writeHead(failure).end();
      return;
    }
    const isWebhook = path === '/push' || path === '/code';
    const nowSeconds = Math.floor((options.now?.() ?? Date.now()) / 1000);
    if (isWebhook && options.signingSecret !== undefined && !signatureValid(body, request.headers, options.signingSecret, nowSeconds)) {
      rejected.push({ path, reason: 'bad-signature', headers: request.headers });
      response.writeHead(401).end();
      return;
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      rejected.push({ path, reason: 'bad-json', headers: request.headers });
      response.writeHead(400).end();
      return;
    }
    if (path === '/push') {
      pushes.put({ ...(json as unknown as Omit<ReceivedPush, 'raw' | 'rawBody' | 'headers'>), raw: json, rawBody: body, headers: request.headers });
    } else if (path === '/code') {
      codes.put({ ...(json as unknown as Omit<ReceivedCode, 'headers'>), headers: request.headers });
    } else if (path === '/ntfy' || path.startsWith('/ntfy/')) {
      ntfy.put({ path, message: json, headers: request.headers });
    } else {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    pushUrl: `${url}/push`,
    codeUrl: `${url}/code`,
    ntfyUrl: `${url}/ntfy`,
    pushes: pushes.all,
    codes: codes.all,
    ntfyMessages: ntfy.all,
    rejected,
    nextPush: (timeoutMs = 15_000) => pushes.take('push', timeoutMs),
    nextCode: (timeoutMs = 15_000) => codes.take('code', timeoutMs),
    nextNtfy: (timeoutMs = 15_000) => ntfy.take('ntfy message', timeoutMs),
    failWith(answer) {
      failure = answer;
    },
    approve: (push, number) => postJson(push.approveUrl, number === undefined ? {} : { number }),
    deny: (push, denyOptions = {}) => postJson(push.denyUrl, denyOptions.fraud ? { fraud: true } : {}),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
