import { DirectoryError } from '../errors.js';

export interface UpstreamServer {
  /** As configured, for reasons and logs. */
  readonly label: string;
  /** An IP address or a DNS name (looked up for each exchange, so a moved server is followed). */
  readonly host: string;
  readonly port: number;
}

/** RFC 2865 §3: the authentication port. */
const DEFAULT_PORT = 1812;

/** Parses `udp://host:port` (port 1812 when absent; IPv6 in brackets). */
export function parseUpstreamServer(text: string): UpstreamServer {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new DirectoryError('config', `directories.radius.servers: "${text}" is not a udp://host:port URL`, { cause });
  }
  if (url.protocol !== 'udp:') throw new DirectoryError('config', `directories.radius.servers: "${text}" must start with udp://`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '' || url.pathname !== '' || url.search !== '' || url.username !== '') {
    throw new DirectoryError('config', `directories.radius.servers: "${text}" must be udp://host:port and nothing more`);
  }
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  return { label: text, host, port };
}
