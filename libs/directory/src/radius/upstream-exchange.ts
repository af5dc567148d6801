import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { verifyResponse, type RadiusPacket } from '@radius-mfa/radius-protocol';
import type { UpstreamServer } from './upstream-servers.js';

export interface ExchangeOptions {
  secret: Buffer;
  timeoutMs: number;
  /** Transmissions after the first, each with the same identifier and authenticator (RFC 5080 §2.2.1). */
  retries: number;
  requireMessageAuthenticator: boolean;
  signal: AbortSignal;
}

/** How one exchange with one server ended. */
export type ExchangeResult =
  | { kind: 'response'; packet: RadiusPacket }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string };

/**
 * Sends one request to one server and waits for a reply that verifies against it:
 * replies with a wrong authenticator, identifier or Message-Authenticator are
 * silently discarded (RFC 2865 §3), and the wait goes on. A socket of its own per
 * exchange: the source port then tells exchanges apart, so identifiers cannot run out.
 */
export async function exchangeWithServer(
  server: UpstreamServer,
  request: { packet: Buffer; identifier: number; authenticator: Buffer },
  options: ExchangeOptions,
): Promise<ExchangeResult> {
  let address: { address: string; family: number };
  try {
    address = isIP(server.host) === 0 ? await lookupWithin(server.host, options.timeoutMs) : { address: server.host, family: isIP(server.host) };
  } catch (error) {
    return { kind: 'error', message: `cannot resolve ${server.host}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  return exchangeWithAddress(server.port, address, request, options);
}

/** getaddrinfo cannot be cancelled; the wait for it is bounded like a transmission. */
async function lookupWithin(host: string, timeoutMs: number): Promise<{ address: string; family: number }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      lookup(host),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no DNS answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function exchangeWithAddress(
  port: number,
  address: { address: string; family: number },
  request: { packet: Buffer; identifier: number; authenticator: Buffer },
  options: ExchangeOptions,
): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const socket: Socket = createSocket(address.family === 6 ? 'udp6' : 'udp4');
    let transmissions = 0;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    const finish = (result: ExchangeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      socket.close();
      resolve(result);
    };
    const onAbort = (): void => finish({ kind: 'error', message: 'aborted' });
    const transmit = (): void => {
      if (transmissions > options.retries) return finish({ kind: 'timeout' });
      transmissions++;
      socket.send(request.packet, port, address.address, (error) => {
        if (error) finish({ kind: 'error', message: `send failed: ${error.message}` });
      });
      timer = setTimeout(transmit, options.timeoutMs);
    };

    socket.on('message', (datagram, remote) => {
      // A reply must come from the address and port the request went to.
      if (remote.port !== port || remote.address !== address.address) return;
      try {
        const packet = verifyResponse(datagram, request, options.secret, {
          requireMessageAuthenticator: options.requireMessageAuthenticator,
        });
        finish({ kind: 'response', packet });
      } catch {
        // Forged, corrupt or stale: discard and keep waiting (RFC 2865 §3).
      }
    });
    // ICMP port unreachable surfaces here on a connected-like path; treat the server as down.
    socket.on('error', (error) => finish({ kind: 'error', message: error.message }));
    if (options.signal.aborted) return finish({ kind: 'error', message: 'aborted' });
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.bind(0, address.family === 6 ? '::' : '0.0.0.0', transmit);
  });
}
