import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@radius-mfa/config';
import { createClientTable, canonicalAddress } from '@radius-mfa/radius-ingress';

function clients(list: { name: string; address: string | string[] }[]) {
  const text = JSON.stringify({
    redis: { url: 'redis://127.0.0.1:6379' },
    security: { sealingKeys: [{ id: 'k', key: randomBytes(32).toString('base64') }] },
    clients: list.map((c) => ({ ...c, secret: 'a-long-enough-secret' })),
  });
  return parseConfig(text, { env: {} }).config.clients;
}

describe('client table', () => {
  const table = createClientTable(
    clients([
      { name: 'all-ten', address: '10.0.0.0/8' },
      { name: 'ten-one', address: '10.1.0.0/16' },
      { name: 'host', address: ['10.1.2.3', '2001:db8::1'] },
      { name: 'v6-net', address: '2001:db8::/32' },
    ]),
  );

  it('picks the longest matching prefix, v4 and v6', () => {
    expect(table.lookup('10.9.9.9')?.config.name).toBe('all-ten');
    expect(table.lookup('10.1.9.9')?.config.name).toBe('ten-one');
    expect(table.lookup('10.1.2.3')?.config.name).toBe('host');
    expect(table.lookup('2001:db8::1')?.config.name).toBe('host');
    expect(table.lookup('2001:db8::2')?.config.name).toBe('v6-net');
  });

  it('matches a v4 peer seen through a dual-stack socket', () => {
    expect(canonicalAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(table.lookup('::ffff:10.1.2.3')?.config.name).toBe('host');
  });

  it('finds no client for other addresses, and keeps answering the same after many strangers', () => {
    expect(table.lookup('192.0.2.1')).toBeUndefined();
    expect(table.lookup('not-an-ip')).toBeUndefined();
    for (let i = 0; i < 10_000; i++) table.lookup(`192.0.${i >> 8}.${i & 255}`);
    expect(table.lookup('10.1.2.3')?.config.name).toBe('host');
    expect(table.byName('v6-net')?.secret.toString()).toBe('a-long-enough-secret');
  });
});
