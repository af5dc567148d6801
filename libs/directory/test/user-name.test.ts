import { describe, expect, it } from 'vitest';
import { normalizeUserName } from '@radius-mfa/directory';

const defaults = { stripDomain: true, stripRealm: false, lowercase: true };

describe('normalizeUserName', () => {
  it('strips a NetBIOS domain and lowercases', () => {
    expect(normalizeUserName('CONTOSO\\Alice', defaults)).toBe('alice');
  });

  it('keeps the realm unless stripRealm is set', () => {
    expect(normalizeUserName('Alice@Contoso.com', defaults)).toBe('alice@contoso.com');
    expect(normalizeUserName('alice@contoso.com', { ...defaults, stripRealm: true })).toBe('alice');
  });

  it('strips the realm after the last @ (RFC 7542)', () => {
    expect(normalizeUserName('a@b@realm.example', { ...defaults, stripRealm: true })).toBe('a@b');
  });

  it('keeps everything when every rule is off', () => {
    expect(normalizeUserName('CONTOSO\\Alice@x', { stripDomain: false, stripRealm: false, lowercase: false })).toBe('CONTOSO\\Alice@x');
  });

  it('applies domain and realm rules together', () => {
    expect(normalizeUserName('CONTOSO\\Alice@contoso.com', { stripDomain: true, stripRealm: true, lowercase: true })).toBe('alice');
  });

  it('trims surrounding white space and unifies Unicode composition', () => {
    const decomposed = 'Jose\u0301';
    expect(normalizeUserName(`  ${decomposed} `, defaults)).toBe('jos\u00e9');
  });
});
