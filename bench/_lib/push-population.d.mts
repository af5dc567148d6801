import type { SealingKey } from './system.mjs';

export function enrollPushUsers(options: {
  redisUrl: string;
  keyPrefix: string;
  sealingKey: SealingKey;
  clusterNodes?: string[];
  count: number;
  namePrefix?: string;
  concurrency?: number;
}): Promise<void>;
