import type { SealingKey } from './system.mjs';

export function userName(index: number): string;
export function userSecret(seed: Buffer, index: number): Buffer;
export function enrollTotpUsers(options: {
  redisUrl: string;
  keyPrefix: string;
  sealingKey: SealingKey;
  clusterNodes?: string[];
  seed: Buffer;
  count: number;
  concurrency?: number;
}): Promise<void>;
export function totpChooser(options: { seed: Buffer; count: number; earliest?: number; latest?: number }): {
  next(): { user: string; code: string } | undefined;
};
