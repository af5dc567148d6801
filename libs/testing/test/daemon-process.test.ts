// The daemon fixtures' lost-port-race retry: a port taken between freeTcpPort() and the daemon's own
// bind is retried with a fresh port; any other failure is reported at once.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonStartError, lostPortRace, startDaemonProcess, withPortRetry } from '@radius-mfa/testing';

describe('withPortRetry', () => {
  it('tries again after a lost port race, with the messages slapd and FreeRADIUS print', async () => {
    const failures = [
      'slapd exited: 6b022ea0.0b44ac60 0x7f6b daemon: bind(6) failed errno=98 (Address already in use)',
      'freeradius exited before printing "Ready": Failed binding to auth address 127.0.0.1 port 40000 bound to server default: Address already in use',
    ];
    let calls = 0;
    const started = await withPortRetry(async () => {
      const failure = failures[calls++];
      if (failure !== undefined) throw new Error(failure);
      return 'listening';
    });
    expect(started).toBe('listening');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt, and never retries another failure', async () => {
    let calls = 0;
    await expect(withPortRetry(() => Promise.reject(new Error(`attempt ${++calls}: Address already in use`)), 2)).rejects.toThrow('attempt 2');
    let other = 0;
    await expect(withPortRetry(() => Promise.reject(new Error(`bad config ${++other}`)))).rejects.toThrow('bad config 1');
    expect(other).toBe(1);
    expect(lostPortRace('permission denied')).toBe(false);
  });
});

describe('startDaemonProcess', () => {
  it('waits for a line of output, and stop() ends the process', async () => {
    const daemon = startDaemonProcess(process.execPath, ['-e', "console.log('ready to serve'); setInterval(() => {}, 1000)"], '/nonexistent-rmfa-dir');
    await daemon.waitForOutput('ready to serve', 30_000);
    expect(daemon.exited()).toBe(false);
    // Its pid is the running child's (the bench meters a daemon's CPU by it).
    expect(() => process.kill(daemon.pid ?? -1, 0)).not.toThrow();
    await daemon.stop();
    expect(daemon.exited()).toBe(true);
  });

  it('rejects the wait with its output when the process exits first', async () => {
    const daemon = startDaemonProcess(process.execPath, ['-e', "console.error('no config'); process.exit(3)"], '/nonexistent-rmfa-dir');
    await expect(daemon.waitForOutput('ready', 30_000)).rejects.toThrow(/exited before printing "ready":\s+no config/);
    await daemon.stop();
  });

  it('rejects with DaemonStartError naming the binary and its Debian package when it is not installed', async () => {
    // A binary the fixtures use, on a path where it cannot be: spawn fails with ENOENT.
    const daemon = startDaemonProcess('/nonexistent-rmfa-dir/sbin/slapd', ['-d', 'none'], '/nonexistent-rmfa-dir');
    const failure = daemon.waitForOutput('ready', 30_000);
    await expect(failure).rejects.toBeInstanceOf(DaemonStartError);
    await expect(failure).rejects.toMatchObject({ code: 'DAEMON_NOT_STARTED', command: '/nonexistent-rmfa-dir/sbin/slapd', debianPackage: 'slapd' });
    await expect(failure).rejects.toThrow('cannot start /nonexistent-rmfa-dir/sbin/slapd (ENOENT: not installed, or not on PATH): apt-get install -y slapd; .ci/apt-packages lists every package the tests need');
    await expect(daemon.started()).rejects.toBe(await failure.catch((error: unknown) => error));
    expect(daemon.exited()).toBe(true);
    expect(daemon.pid).toBeUndefined();
    await daemon.stop();
  });

  it('rejects with DaemonStartError when the binary is not executable, and names no package it does not know', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmfa-daemon-'));
    const binary = join(dir, 'not-executable');
    writeFileSync(binary, '#!/bin/sh\necho ready\n');
    chmodSync(binary, 0o644);
    const daemon = startDaemonProcess(binary, [], dir);
    await expect(daemon.started()).rejects.toThrow(/cannot start \S+not-executable \(EACCES: not executable\): install the Debian package that provides it/);
    await expect(daemon.started()).rejects.toMatchObject({ code: 'DAEMON_NOT_STARTED', debianPackage: undefined });
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('started() resolves once a present binary is running', async () => {
    const daemon = startDaemonProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], '/nonexistent-rmfa-dir');
    await daemon.started();
    expect(daemon.exited()).toBe(false);
    await daemon.stop();
  });
});
