import type { ChildProcess } from 'node:child_process';

export interface SealingKey {
  readonly id: string;
  readonly key: string;
}
export function newSealingKey(): SealingKey;

export interface SystemConfigOptions {
  redisUrl: string;
  keyPrefix?: string;
  sealingKey: SealingKey;
  clients: Record<string, unknown>[];
  mfa?: Record<string, unknown>;
  redis?: Record<string, unknown>;
  radius?: Record<string, unknown>;
  logLevel?: string;
}
export function systemConfigYaml(options: SystemConfigOptions): string;
export function isReady(opsPort: number): Promise<boolean>;
export function metricValue(opsPort: number, name: string, labels?: Record<string, string>): Promise<number>;

export class RoleExitedError extends Error {
  readonly reason: 'role_exited';
  readonly role: RoleName;
  readonly lastOutput: string;
}

export type RoleName = 'ingress' | 'worker' | 'results';
export interface RoleProcess {
  readonly role: RoleName;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly ports: { readonly radius: number; readonly ops: number; readonly api: number };
  readonly exited: Promise<unknown>;
  /** The last few KiB of the role's stdout and stderr. */
  lastOutput(): string;
  kill(signal?: NodeJS.Signals): Promise<unknown>;
}
export interface RunningSystem {
  readonly dir: string;
  readonly configPath: string;
  readonly apiUrl: string;
  readonly processes: RoleProcess[];
  byRole(role: RoleName): RoleProcess[];
  add(role: RoleName): Promise<RoleProcess>;
  /** `body()`'s result, or a RoleExitedError as soon as a role exits not through kill() or stop(). */
  whileRunning<T>(body: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}
export function startSystem(options: {
  configYaml: string;
  roles: RoleName[];
  readyTimeoutMs?: number;
  env?: Record<string, string>;
  output?: 'inherit' | 'ignore';
}): Promise<RunningSystem>;
export function benchClient(secret: string, overrides?: Record<string, unknown>): Record<string, unknown>;
