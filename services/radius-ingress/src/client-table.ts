// Which configured RADIUS client (NAS) a source address belongs to: longest prefix wins.
import { cidrContains, parseCidr, parseIp, type Cidr, type ClientConfig } from '@radius-mfa/config';

export interface ResolvedClient {
  readonly config: ClientConfig;
  /** The shared secret as bytes, computed once. */
  readonly secret: Buffer;
}

export interface ClientTable {
  /** The client whose most specific CIDR holds `address`, or undefined (PROTOCOL-CASES 6). */
  lookup(address: string): ResolvedClient | undefined;
  /** The client of that name (its rate limit is keyed by name). */
  byName(name: string): ResolvedClient | undefined;
  readonly clients: readonly ResolvedClient[];
}

/** Source addresses seen: a small bounded cache, so the bigint match runs once per NAS, not once per packet. */
const LOOKUP_CACHE_LIMIT = 4096;

/** `::ffff:192.0.2.1` (a v4 peer on a dual-stack socket) is the IPv4 address 192.0.2.1. */
export function canonicalAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function createClientTable(clients: readonly ClientConfig[]): ClientTable {
  const resolved = clients.map((config) => ({ config, secret: Buffer.from(config.secret, 'utf8') }));
  const entries: { cidr: Cidr; client: ResolvedClient }[] = [];
  for (const client of resolved) {
    const addresses = Array.isArray(client.config.address) ? client.config.address : [client.config.address];
    for (const text of addresses) entries.push({ cidr: parseCidr(text), client });
  }
  // Most specific first: the first match is the longest prefix.
  entries.sort((a, b) => b.cidr.prefix - a.cidr.prefix);
  const byName = new Map(resolved.map((client) => [client.config.name, client]));
  const cache = new Map<string, ResolvedClient | null>();

  function match(address: string): ResolvedClient | undefined {
    const ip = parseIp(canonicalAddress(address));
    if (!ip) return undefined;
    return entries.find((entry) => cidrContains(entry.cidr, ip))?.client;
  }

  return {
    clients: resolved,
    lookup(address) {
      const cached = cache.get(address);
      if (cached !== undefined) return cached ?? undefined;
      const client = match(address);
      // A flood from random sources must not grow memory: start over when full.
      if (cache.size >= LOOKUP_CACHE_LIMIT) cache.clear();
      cache.set(address, client ?? null);
      return client;
    },
    byName: (name) => byName.get(name),
  };
}
