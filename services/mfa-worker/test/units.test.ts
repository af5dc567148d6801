// The pure pieces: append parsing, attribute compilation, menu choices, policy rules.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createNotifier, type PushNotifierConfig } from '@radius-mfa/mfa';
import { AttributeConfigError, Prompts, compilePolicy, compileReplyAttribute, decideUnenrolled, notifierFor, parseMenuChoice, splitAppendedPassword } from '@radius-mfa/mfa-worker';
import { startFakePhone } from '@radius-mfa/testing';

const split = (text: string, digits = 6, passwordless = false) => {
  const { password, factor } = splitAppendedPassword(Buffer.from(text, 'utf8'), digits, { passwordless });
  return { password: password.toString('utf8'), factor };
};

describe('splitAppendedPassword', () => {
  it('takes a 6–8 digit code or a method after the last comma', () => {
    expect(split('pa,ss,123456')).toEqual({ password: 'pa,ss', factor: { kind: 'code', code: '123456' } });
    expect(split('pass,12345678')).toEqual({ password: 'pass', factor: { kind: 'code', code: '12345678' } });
    expect(split('pass,push')).toEqual({ password: 'pass', factor: { kind: 'method', method: 'push' } });
    expect(split('pass,SMS')).toEqual({ password: 'pass', factor: { kind: 'method', method: 'sms' } });
  });

  it('takes a bare suffix of exactly the configured digits, leaving a non-empty password', () => {
    expect(split('secret123456')).toEqual({ password: 'secret', factor: { kind: 'code', code: '123456' } });
    expect(split('secret12345678', 8)).toEqual({ password: 'secret', factor: { kind: 'code', code: '12345678' } });
    expect(split('123456')).toEqual({ password: '123456', factor: { kind: 'none' } });
    expect(split('secret12345')).toEqual({ password: 'secret12345', factor: { kind: 'none' } });
    // A comma with no factor after it is part of the password.
    expect(split('a,b')).toEqual({ password: 'a,b', factor: { kind: 'none' } });
  });

  it('with no first factor, takes a User-Password of 6–8 digits alone as the code', () => {
    expect(split('123456', 6, true)).toEqual({ password: '', factor: { kind: 'code', code: '123456' } });
    expect(split('12345678', 6, true)).toEqual({ password: '', factor: { kind: 'code', code: '12345678' } });
    // The other forms still work; anything else is no code.
    expect(split(',123456', 6, true)).toEqual({ password: '', factor: { kind: 'code', code: '123456' } });
    expect(split('push', 6, true)).toEqual({ password: 'push', factor: { kind: 'none' } });
    expect(split('12345', 6, true)).toEqual({ password: '12345', factor: { kind: 'none' } });
  });
});

describe('compileReplyAttribute', () => {
  it('encodes by dictionary type: string, integer, enum, ipaddr, octets in hex, tagged, vendor', () => {
    expect(compileReplyAttribute('a', { name: 'Filter-Id', value: 'acl' })).toEqual({ type: 11, value: Buffer.from('acl') });
    expect(compileReplyAttribute('a', { name: 'Session-Timeout', value: 60 }).value).toEqual(Buffer.from([0, 0, 0, 60]));
    expect(compileReplyAttribute('a', { name: 'Service-Type', value: 'Framed-User' }).value).toEqual(Buffer.from([0, 0, 0, 2]));
    expect(compileReplyAttribute('a', { name: 'Framed-IP-Address', value: '10.0.0.9' }).value).toEqual(Buffer.from([10, 0, 0, 9]));
    expect(compileReplyAttribute('a', { name: 'Class', value: '0x0102' }).value).toEqual(Buffer.from([1, 2]));
    expect(compileReplyAttribute('a', { name: 'Tunnel-Type', value: 'VLAN' }).value).toEqual(Buffer.from([0, 0, 0, 13]));
    const vsa = compileReplyAttribute('a', { vendor: 9, type: 1, value: 'x' });
    expect(vsa.type).toBe(26);
    expect(vsa.value).toEqual(Buffer.from([0, 0, 0, 9, 1, 3, 0x78]));
  });

  it('refuses unknown names, bad values, encrypted and server-owned attributes, naming the path', () => {
    expect(() => compileReplyAttribute('clients[0].attributes[1]', { name: 'No-Such', value: 'x' })).toThrow(/clients\[0\]\.attributes\[1\]: unknown attribute/);
    expect(() => compileReplyAttribute('p', { name: 'Session-Timeout', value: 'soon' })).toThrow(AttributeConfigError);
    expect(() => compileReplyAttribute('p', { name: 'Framed-IP-Address', value: 'host' })).toThrow(/IPv4/);
    expect(() => compileReplyAttribute('p', { name: 'User-Password', value: 'x' })).toThrow(/encrypted/);
    expect(() => compileReplyAttribute('p', { name: 'State', value: 'x' })).toThrow(/set by the server/);
    expect(() => compileReplyAttribute('p', { type: 80, value: 'x' })).toThrow(/set by the server/);
  });
});

describe('menu and prompts', () => {
  it('parses a number or a name among the offered methods only', () => {
    expect(parseMenuChoice(' 2 ', ['totp', 'push'])).toBe('push');
    expect(parseMenuChoice('push', ['totp', 'push'])).toBe('push');
    expect(parseMenuChoice('sms', ['totp', 'push'])).toBeUndefined();
    expect(parseMenuChoice('3', ['totp', 'push'])).toBeUndefined();
  });

  it('shows the number to match as a standalone two-digit number', () => {
    expect(Prompts.approvePush(7)).toBe('Approve the sign-in on your phone, enter 07 there, then press Enter');
  });
});

describe('policy', () => {
  const policy = compilePolicy(
    { bypass: { users: ['Alice'], groups: ['NoMFA'], callingStationIds: ['10.0.0.0/8', '2001:db8::/32', '00-11-22-33-44-55'] }, requireGroups: [], unenrolled: 'enroll', enrollGraceDays: 2, failMode: 'closed' },
    (name) => name.toLowerCase(),
  );

  it('bypasses by user, group (any case), station CIDR (v4, v6) and MAC in any notation', () => {
    expect(policy.bypassFor('alice', [], undefined)).toBe('bypass-user');
    expect(policy.bypassFor('bob', ['nomfa'], undefined)).toBe('bypass-group');
    expect(policy.bypassFor('bob', [], '10.9.8.7')).toBe('bypass-calling-station');
    expect(policy.bypassFor('bob', [], '2001:db8::1')).toBe('bypass-calling-station');
    expect(policy.bypassFor('bob', [], '0011.2233.4455')).toBe('bypass-calling-station');
    expect(policy.bypassFor('bob', [], '11.0.0.1')).toBeUndefined();
    expect(policy.bypassFor('bob', [], 'not-an-ip')).toBeUndefined();
  });

  it('grace runs for enrollGraceDays from its start', () => {
    const now = 1_000 * 86_400_000;
    expect(decideUnenrolled(policy, now - 86_400_000, now)).toEqual({ action: 'accept', reason: 'unenrolled-grace', daysLeft: 1 });
    expect(decideUnenrolled(policy, now - 3 * 86_400_000, now)).toEqual({ action: 'enroll', reason: 'unenrolled-enroll' });
  });
});

describe('audit stream cap', () => {
  it('comes from @radius-mfa/contracts only: the worker defines no second AUDIT_STREAM_LENGTH', async () => {
    const worker = await import('@radius-mfa/mfa-worker');
    expect(Object.keys(worker)).not.toContain('AUDIT_STREAM_LENGTH');
    const source = readFileSync(new URL('../src/audit.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/AUDIT_STREAM_LENGTH\s*=/);
    expect(source).toMatch(/import \{[^}]*AUDIT_STREAM_LENGTH[^}]*\} from '@radius-mfa\/contracts'/);
  });
});

describe('notifierFor (a user\'s notifier override)', () => {
  const push = {
    challengeId: 'c1',
    user: 'alice',
    client: 'vpn',
    callingStationId: '',
    approveUrl: 'http://127.0.0.1:1/approve/x',
    denyUrl: 'http://127.0.0.1:1/deny/x',
    expiresAt: new Date().toISOString(),
  };

  it('keeps the override\'s own timeoutSeconds, else the configured one', async () => {
    const phone = await startFakePhone();
    phone.failWith('hang');
    try {
      // The configured notifier would wait ten minutes: only the override's 1 s ends this send.
      const slow: PushNotifierConfig = { type: 'webhook', url: 'http://127.0.0.1:1/unused', timeoutSeconds: 600 };
      const own = notifierFor({ notifier: createNotifier(slow), notifierConfig: slow }, { type: 'webhook', url: phone.pushUrl, timeoutSeconds: 1 });
      expect(await own.send(push).catch((e: unknown) => e)).toMatchObject({ reason: 'timeout', message: expect.stringContaining('after 1000 ms') });
      const quick: PushNotifierConfig = { type: 'webhook', url: 'http://127.0.0.1:1/unused', timeoutSeconds: 1 };
      const inherited = notifierFor({ notifier: createNotifier(quick), notifierConfig: quick }, { type: 'webhook', url: phone.pushUrl });
      expect(await inherited.send(push).catch((e: unknown) => e)).toMatchObject({ reason: 'timeout', message: expect.stringContaining('after 1000 ms') });
    } finally {
      await phone.close();
    }
  }, 60_000);
});
