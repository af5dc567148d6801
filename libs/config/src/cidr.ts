// IP addresses and CIDR blocks (v4 and v6) as numbers, for client matching and duplicate checks.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  readonly family: 4 | 6;
  /** The network address (host bits cleared). */
  readonly network: bigint;
  readonly prefix: number;
  /** The text had host bits set, e.g. `10.0.0.1/8`: probably a typo for `10.0.0.0/8`. */
  readonly hostBitsSet: boolean;
}

export class InvalidAddressError extends Error {
  readonly code = 'INVALID_ADDRESS';
  constructor(readonly reason: 'not-an-ip' | 'bad-prefix') {
    super(reason === 'not-an-ip' ? 'not an IPv4 or IPv6 address' : 'prefix length out of range');
    this.name = 'InvalidAddressError';
  }
}

function ipv4ToBigInt(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(text: string): bigint {
  let address = text;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4) {
    const n = ipv4ToBigInt(v4[1]!);
    address = address.slice(0, v4.index) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** Parses `192.0.2.1`, `10.0.0.0/8`, `2001:db8::/32`, `::1`. A bare address is a /32 or /128. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const ip = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const family = isIPv4(ip) ? 4 : isIPv6(ip) && !ip.includes('%') ? 6 : undefined;
  if (family === undefined) throw new InvalidAddressError('not-an-ip');
  const width = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) throw new InvalidAddressError('bad-prefix');
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width) throw new InvalidAddressError('bad-prefix');
  const value = family === 4 ? ipv4ToBigInt(ip) : ipv6ToBigInt(ip);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  return { family, network: value & ~hostMask, prefix, hostBitsSet: (value & hostMask) !== 0n };
}

/** The address as a number, for matching against a Cidr; undefined if not an IP. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (isIPv4(text)) return { family: 4, value: ipv4ToBigInt(text) };
  if (isIPv6(text) && !text.includes('%')) return { family: 6, value: ipv6ToBigInt(text) };
  return undefined;
}

export function cidrContains(cidr: Cidr, ip: { family: 4 | 6; value: bigint }): boolean {
  if (cidr.family !== ip.family) return false;
  const width = cidr.family === 4 ? 32 : 128;
  return ip.value >> BigInt(width - cidr.prefix) === cidr.network >> BigInt(width - cidr.prefix);
}

/** Canonical text of the block, so `10.0.0.0/8` and `10.0.0.0/08` compare equal. */
export function cidrKey(cidr: Cidr): string {
  return `${cidr.family}/${cidr.network.toString(16)}/${cidr.prefix}`;
}
