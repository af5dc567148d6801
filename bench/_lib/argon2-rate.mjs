// The first factor measured apart from the pipeline: argon2id verifications per second at
// argon2's default cost (m=64 MiB, t=3, p=4), the cost `radius-mfa hash-password` gives.
import argon2 from 'argon2';
import { cpus } from 'node:os';

export async function measureArgon2id({ seconds = 3, concurrency = cpus().length }) {
  const password = 'correct horse battery staple';
  const hash = await argon2.hash(password, { type: argon2.argon2id });
  // PHC string `$argon2id$v=19$m=65536,t=3,p=4$salt$hash` (the order of m, t, p varies by version).
  const parameters = Object.fromEntries(hash.split('$')[3].split(',').map((kv) => kv.split('=')));
  let verified = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  const lane = async () => {
    while (performance.now() < deadline) {
      if (!(await argon2.verify(hash, password))) throw new Error('argon2 verify failed');
      verified++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = (performance.now() - start) / 1000;
  return {
    perSec: Number((verified / elapsed).toFixed(1)),
    parameters: { memoryKiB: Number(parameters.m), iterations: Number(parameters.t), parallelism: Number(parameters.p) },
    concurrency,
  };
}
