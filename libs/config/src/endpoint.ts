// Listen and server addresses written as URLs: `udp://0.0.0.0:1812`, `udp://[::]:1812`, `tls://h:2083`, `http://h:p`.

export interface Endpoint {
  /** Without the colon: `udp`, `tls`, `http`. */
  readonly protocol: string;
  /** Without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
}

export class InvalidEndpointError extends Error {
  readonly code = 'INVALID_ENDPOINT';
  constructor(readonly reason: 'syntax' | 'port') {
    super(reason === 'syntax' ? 'not a PROTOCOL://HOST:PORT address' : 'port out of range');
    this.name = 'InvalidEndpointError';
  }
}

export interface ParseEndpointOptions {
  /** Port when the text has none; without it a port is required. */
  defaultPort?: number;
  /** A listen address may say port 0: any free port (what tests use). */
  allowPortZero?: boolean;
}

export function parseEndpoint(text: string, options: ParseEndpointOptions = {}): Endpoint {
  const match = /^([a-z]+):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(text);
  if (!match) throw new InvalidEndpointError('syntax');
  const port = match[3] === undefined ? options.defaultPort : Number(match[3]);
  if (port === undefined) throw new InvalidEndpointError('syntax');
  if (port < (options.allowPortZero ? 0 : 1) || port > 65_535) throw new InvalidEndpointError('port');
  return { protocol: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), port };
}
