import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

/** The cost parameters of a PHC-format argon2id hash (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`). */
export interface Argon2Cost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

const ARGON2ID_PHC = /^\$argon2id\$v=19\$([a-z]=\d+(?:,[a-z]=\d+)*)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** The cost of an argon2id hash, or undefined when the string is not one. */
export function parseArgon2idCost(hash: string): Argon2Cost | undefined {
  const match = ARGON2ID_PHC.exec(hash);
  if (!match) return undefined;
  const params = new Map(match[1]!.split(',').map((pair) => [pair.slice(0, 1), Number(pair.slice(2))] as const));
  const memoryCost = params.get('m');
  const timeCost = params.get('t');
  const parallelism = params.get('p');
  if (memoryCost === undefined || timeCost === undefined || parallelism === undefined) return undefined;
  return { memoryCost, timeCost, parallelism };
}

/**
 * Verified in place of an unknown user's hash so that a miss costs what a hit costs
 * (no user enumeration by timing). It hashes 32 random bytes nobody kept, at argon2's
 * default cost (m=64 MiB, t=3, p=4), the cost `argon2.hash` gives new hashes.
 */
export const FIXED_DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$shemlbVaPhk3mav4eg17qg$HII57dQj6a8B1BQFycSDizR7tP1682+A/DZERNdyPag';

/** A dummy hash at the given cost: the fixed one when it matches, else a fresh one (once). */
export async function dummyHashAtCost(cost: Argon2Cost | undefined): Promise<string> {
  const fixed = parseArgon2idCost(FIXED_DUMMY_HASH)!;
  if (!cost || (cost.memoryCost === fixed.memoryCost && cost.timeCost === fixed.timeCost && cost.parallelism === fixed.parallelism)) {
    return FIXED_DUMMY_HASH;
  }
  return argon2.hash(randomBytes(32), { type: argon2.argon2id, ...cost });
}

export type PasswordVerifier = (hash: string, password: Buffer) => Promise<boolean>;

/** argon2's own verify: constant-time comparison of the derived key inside the native code. */
export const verifyArgon2: PasswordVerifier = (hash, password) => argon2.verify(hash, password);
