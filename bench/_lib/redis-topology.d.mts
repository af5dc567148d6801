import type { ChildProcess } from 'node:child_process';
import type { RedisHandle } from '@radius-mfa/testing';

type RedisServer = RedisHandle & { process: ChildProcess; dir: string };
export function redisCli(port: number, ...args: string[]): Promise<string>;
export function startSentinelSet(masterName?: string): Promise<{
  masterName: string;
  primary: RedisServer;
  replica: RedisServer;
  addresses: string[];
  currentMasterPort(): Promise<number>;
  stop(): Promise<void>;
}>;
export function startRedisCluster(): Promise<{ nodes: RedisServer[]; urls: string[]; stop(): Promise<unknown> }>;
