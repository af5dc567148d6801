// The config the demo runs with, as the roles parse it: push limits a walkthrough does not hit, and the
// newcomer of the printed enrollment link able to sign in afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import argon2 from 'argon2';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@radius-mfa/config';
import { DEMO_NEWCOMER, DEMO_PUSH_USER, DEMO_USER, loadOrCreateCredentials, renderDemoConfig } from '../src/demo-config.js';

const dir = mkdtempSync(join(tmpdir(), 'rmfa-demo-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo config', () => {
  it('parses; pushes are limited generously; every demo user, the newcomer too, has the demo password', async () => {
    const { credentials } = await loadOrCreateCredentials(dir);
    const text = renderDemoConfig(credentials, { radius: 11812, api: 18080, ops: 19100 }, 'redis://127.0.0.1:6390', { url: 'http://127.0.0.1:18081/push', signingSecret: 'Zq8vYkP3wLr6TnB2xHs9JdF4mGc7aRe5' });
    // Throws, naming each problem, if the demo's config were invalid.
    const { config } = parseConfig(text, { env: {} });
    // The README's walkthrough invites several pushes a minute; the production defaults are 3 and 10.
    expect(config.mfa.push?.limits.perMinute).toBeGreaterThanOrEqual(10);
    expect(config.mfa.push?.limits.perHour).toBeGreaterThanOrEqual(100);
    const users = config.directories.local?.users ?? [];
    expect(users.map((u) => u.name)).toEqual([DEMO_USER, DEMO_PUSH_USER, DEMO_NEWCOMER]);
    for (const user of users) expect(await argon2.verify(user.passwordHash, credentials.password)).toBe(true);
  });
});
