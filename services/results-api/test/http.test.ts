import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalUrl } from '@radius-mfa/contracts';
import { createPush } from './harness.js';
import { INGRESS_ID, startRunningSuite, type RunningSuite } from './running.js';

describe('results role over real HTTP and Redis', () => {
  let suite: RunningSuite;
  beforeAll(async () => {
    suite = await startRunningSuite();
  });
  afterAll(async () => {
    await suite?.stop();
  });

  it('an approval POST to the worker-built approveUrl ends as the Accept bytes on the waiting ingress', async () => {
    const push = await createPush(suite.asResultsSuite(), { prompt: 'auto', ingressId: INGRESS_ID, numberToMatch: 31 });
    const url = approvalUrl(suite.config.api.publicUrl!, 'approve', push.approveToken);
    expect(url.startsWith(suite.baseUrl)).toBe(true);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: 31 }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await suite.deliveryFor(push.txn)).toEqual(push.accept);
    // The answered transaction keeps the bytes for the NAS's retransmissions.
    expect(await suite.redis.hgetBuffer(suite.keys.txn(push.txn), 'response')).toEqual(push.accept);
  });

  it('a denial over HTTP ends as the Reject; metrics count both', async () => {
    const push = await createPush(suite.asResultsSuite(), { prompt: 'auto', ingressId: INGRESS_ID });
    const response = await fetch(approvalUrl(suite.config.api.publicUrl!, 'deny', push.denyToken), { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await suite.deliveryFor(push.txn)).toEqual(push.reject);
    const exposition = await suite.handle.context.registry.metrics();
    expect(exposition).toMatch(/mfa_challenges_total\{method="push",outcome="approved"\} 1/);
    expect(exposition).toMatch(/mfa_challenges_total\{method="push",outcome="denied"\} 1/);
    expect(exposition).toMatch(/http_requests_total\{route="\/v1\/deny\/:token",method="POST",status="200"\} 1/);
    expect(exposition).toContain('mfa_auth_duration_seconds_bucket{le="90",method="push",outcome="denied"} 1');
    expect(exposition).not.toContain(push.denyToken);
    expect(suite.logs.text).not.toContain(push.denyToken);
  });

  it('reports ready, and stops cleanly', async () => {
    const readiness = await suite.handle.context.readiness.evaluate();
    expect(readiness.checks['results-http']).toEqual({ ok: true, seconds: expect.any(Number) });
  });
});
