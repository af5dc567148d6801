import { describe, expect, it } from 'vitest';
import { AlreadyEnrolledError, createSealerFromBase64, createUserStore, NotifierError, providerFailure, SealError, SenderError } from '@radius-mfa/mfa';
import { randomBytes } from 'node:crypto';
import { useRedisSuite } from './redis-suite.js';

describe('providerFailure: an outage or a refusal', () => {
  it.each([
    [new NotifierError('network', 'refused'), 'unreachable'],
    [new NotifierError('timeout', 'slow'), 'unreachable'],
    [new NotifierError('aborted', 'deadline'), 'unreachable'],
    [new SenderError('http-status', '503', 503), 'unreachable'],
    [new SenderError('http-status', '429', 429), 'unreachable'],
    [new NotifierError('http-status', '404', 404), 'refused'],
    [new SenderError('http-status', '400', 400), 'refused'],
    [new NotifierError('no-topic', 'none'), 'refused'],
    [new SenderError('config', 'acs missing'), 'refused'],
    [new SealError('authentication-failed', 'no'), 'refused'],
    [new TypeError('a bug'), 'refused'],
  ])('%s → %s', (error, status) => {
    expect(providerFailure(error).status).toBe(status);
  });

  it('names the refusal; errors of other packages say whether they are an outage (isOutage, code)', () => {
    expect(providerFailure(new NotifierError('http-status', '404', 404))).toMatchObject({ status: 'refused', reason: 'http-404' });
    expect(providerFailure(new NotifierError('no-topic', 'none'))).toMatchObject({ status: 'refused', reason: 'no-topic' });
    expect(providerFailure(new SealError('unknown-key', 'rotated'))).toMatchObject({ status: 'refused', reason: 'unsealable' });
    const external = (code: string, isOutage: boolean) => Object.assign(new Error(code), { code, isOutage });
    expect(providerFailure(external('unavailable', true)).status).toBe('unreachable');
    expect(providerFailure(external('config', false))).toMatchObject({ status: 'refused', reason: 'config' });
  });
});

describe('enrollment ifAbsent (links never replace a factor)', () => {
  const suite = useRedisSuite();
  it('refuses TOTP and push when the user has them, atomically; without ifAbsent (admin) it replaces', async () => {
    const users = createUserStore({ redis: suite.a, keys: suite.keys, sealer: createSealerFromBase64([{ id: 'k', key: randomBytes(32).toString('base64') }]), totp: { issuer: 'T', digits: 6, period: 30, algorithm: 'SHA1' as const } });
    const first = await users.enrollTotp('kim', { ifAbsent: true });
    await expect(users.enrollTotp('kim', { ifAbsent: true })).rejects.toBeInstanceOf(AlreadyEnrolledError);
    const racing = await Promise.allSettled([users.enrollPush('lou', { ifAbsent: true, ntfyTopic: true }), users.enrollPush('lou', { ifAbsent: true, ntfyTopic: true })]);
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const topic = await users.getNtfyTopic('lou');
    expect(racing.find((r) => r.status === 'fulfilled')).toMatchObject({ value: { ntfyTopic: topic } });
    const replaced = await users.enrollTotp('kim');
    expect(replaced.secret).not.toBe(first.secret);
  });
});
