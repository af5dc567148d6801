import { describe, expect, it } from 'vitest';
import { ContractError, approvalUrl, decodeDelivery, encodeDelivery, parseAuthJob, redisKeys } from '@radius-mfa/contracts';

const job = {
  kind: 'auth.v1',
  txn: 'a'.repeat(32),
  client: 'vpn',
  ingressId: 'ing-1',
  receivedAt: 1,
  deadline: 2,
  source: { address: '127.0.0.1', port: 5000 },
  sealedRequest: 'AAAA',
};

describe('contracts', () => {
  it('builds every key under the hash-tag prefix', () => {
    const keys = redisKeys('{p}');
    expect(keys.txn('x')).toBe('{p}:txn:x');
    expect(keys.ingressChannel('i')).toBe('{p}:ingress:i');
    expect(keys.user('alice')).toBe('{p}:user:alice');
  });

  it('accepts a valid auth job and names the bad field of an invalid one', () => {
    expect(parseAuthJob(job).txn).toBe(job.txn);
    expect(() => parseAuthJob({ ...job, kind: 'auth.v0' })).toThrow(/unknown kind/);
    expect(() => parseAuthJob({ ...job, deadline: 'soon' })).toThrow(/deadline/);
    expect(() => parseAuthJob({ ...job, source: null })).toThrow(ContractError);
    expect(parseAuthJob({ ...job, transport: 'radsec' }).transport).toBe('radsec');
    expect(() => parseAuthJob({ ...job, transport: 'tcp' })).toThrow(/transport/);
  });

  it('round-trips a delivery message byte for byte', () => {
    const response = Buffer.from('0201001400112233445566778899aabbccddeeff', 'hex');
    const decoded = decodeDelivery(encodeDelivery({ txn: 'abc', response }));
    expect(decoded.txn).toBe('abc');
    expect(decoded.response.equals(response)).toBe(true);
    expect(() => decodeDelivery(Buffer.of(3, 97))).toThrow(ContractError);
  });

  it('builds approval links under the public URL, keeping its path prefix', () => {
    expect(approvalUrl('https://mfa.example.com/', 'approve', 'tok')).toBe('https://mfa.example.com/v1/approve/tok');
    expect(approvalUrl('https://example.com/mfa', 'deny', 'a/b')).toBe('https://example.com/mfa/v1/deny/a%2Fb');
  });
});
