// Starts the real radius-mfa (the built CLI, as the container runs it) on the compose config
// (deploy/compose/config.yaml) with .env.example filled in as documented, on free loopback ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROLE_NAMES } from '@radius-mfa/runtime';
import { freeTcpPort, freeUdpPort } from '@radius-mfa/testing';
import { envExampleFilled } from './compose-env.js';
import { repoRoot } from './tools.js';

export const CLI = join(repoRoot, 'services/cli/bin/radius-mfa.js');
export const COMPOSE_CONFIG = join(repoRoot, 'deploy/compose/config.yaml');

export class RadiusMfaStartError extends Error {
  readonly code = 'RADIUS_MFA_START_FAILED';
  constructor(readonly exitCode: number | null, output: string) {
    super(`radius-mfa exited with ${exitCode} before its roles started (is it built? run \`npx tsc -b\`):\n${output}`);
    this.name = 'RadiusMfaStartError';
  }
}

export interface RadiusMfaProcess {
  /** Base URL of the ops server (/healthz, /readyz, /metrics). */
  opsUrl: string;
  stop(): Promise<void>;
}

/**
 * Resolves once every role of the process has logged `role started`. `cli` defaults to the
 * workspace's launcher; the image-layout test passes the one of an assembled image tree.
 */
export async function startRadiusMfa(
  role: 'all' | 'ingress' | 'worker' | 'results',
  redisUrl: string,
  cli: string = CLI,
): Promise<RadiusMfaProcess> {
  const opsPort = await freeTcpPort();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...envExampleFilled(),
    REDIS_URL: redisUrl,
    RADIUS_MFA_RADIUS_LISTEN: `udp://127.0.0.1:${await freeUdpPort()}`,
    RADIUS_MFA_API_LISTEN: `http://127.0.0.1:${await freeTcpPort()}`,
    RADIUS_MFA_OPS_LISTEN: `http://127.0.0.1:${opsPort}`,
  };
  const child: ChildProcess = spawn(process.execPath, [cli, 'start', '--role', role, '--config', COMPOSE_CONFIG], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const expected = role === 'all' ? ROLE_NAMES.length : 1;
  await new Promise<void>((resolve, reject) => {
    let started = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      if (line.includes('"msg":"role started"')) {
        started += 1;
        if (started === expected) resolve();
      }
    });
    child.once('exit', (code) => reject(new RadiusMfaStartError(code, output)));
  });
  return {
    opsUrl: `http://127.0.0.1:${opsPort}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
