import { describe, expect, it } from 'vitest';
import { cidrContains, cidrKey, parseCidr, parseEndpoint, parseIp, InvalidAddressError, InvalidEndpointError } from '@radius-mfa/config';

describe('parseCidr', () => {
  it('normalises v4 and v6 blocks so equal blocks compare equal', () => {
    expect(cidrKey(parseCidr('10.0.0.0/8'))).toBe(cidrKey(parseCidr('10.0.0.0/08')));
    expect(cidrKey(parseCidr('2001:db8::/32'))).toBe(cidrKey(parseCidr('2001:0db8:0:0::/32')));
    expect(cidrKey(parseCidr('::ffff:192.0.2.1'))).toBe(cidrKey(parseCidr('::ffff:c000:201')));
  });

  it('flags host bits below the prefix', () => {
    expect(parseCidr('10.0.0.1/8').hostBitsSet).toBe(true);
    expect(parseCidr('10.0.0.0/8').hostBitsSet).toBe(false);
  });

  it('matches addresses inside a block only', () => {
    const block = parseCidr('2001:db8::/32');
    expect(cidrContains(block, parseIp('2001:db8:ffff::1')!)).toBe(true);
    expect(cidrContains(block, parseIp('2001:db9::1')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0'), parseIp('198.51.100.7')!)).toBe(true);
    expect(cidrContains(parseCidr('0.0.0.0/0'), parseIp('::1')!)).toBe(false);
  });

  it('refuses what is not an address or has a bad prefix', () => {
    for (const text of ['10.0.0.0/33', '::/129', 'host.example', '10.0.0.0/', '10.0.0.0/a', 'fe80::1%eth0']) {
      expect(() => parseCidr(text), text).toThrow(InvalidAddressError);
    }
  });
});

describe('parseEndpoint', () => {
  it('parses udp, tls and http addresses, v6 in brackets', () => {
    expect(parseEndpoint('udp://[::]:1812')).toEqual({ protocol: 'udp', host: '::', port: 1812 });
    expect(parseEndpoint('tls://0.0.0.0:2083')).toEqual({ protocol: 'tls', host: '0.0.0.0', port: 2083 });
    expect(parseEndpoint('udp://nps', { defaultPort: 1812 }).port).toBe(1812);
    expect(parseEndpoint('http://127.0.0.1:0', { allowPortZero: true }).port).toBe(0);
  });

  it('refuses bad ports and syntax', () => {
    expect(() => parseEndpoint('udp://h:70000')).toThrow(InvalidEndpointError);
    expect(() => parseEndpoint('udp://h:0')).toThrow(InvalidEndpointError);
    expect(() => parseEndpoint('udp:/h:1')).toThrow(InvalidEndpointError);
  });
});
