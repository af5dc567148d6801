// Listens on api.listen and stops cleanly: the only place the app meets a socket.
import type { AddressInfo } from 'node:net';
import { parseEndpoint } from '@radius-mfa/config';
import type { ResultsApp } from './app.js';

export interface ListeningServer {
  readonly address: AddressInfo;
  /** Base URL actually bound (port 0 resolved). */
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(app: ResultsApp, listenUrl: string): Promise<ListeningServer> {
  const endpoint = parseEndpoint(listenUrl, { defaultPort: 80, allowPortZero: true });
  await app.listen({ host: endpoint.host, port: endpoint.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    address,
    url: `http://${host}:${address.port}`,
    close: () => app.close(),
  };
}
