// The pipeline measurement shared by `pipeline` and `freeradius`: TOTP users enrolled, the roles
// started as processes (ingress, worker, results-api) on the given Redis, the login rates measured.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { measureLoginRates } from './login-rates.mjs';
import { driveLogins, openRadiusClient } from './radius-load.mjs';
import { round } from './stats.mjs';
import { benchClient, newSealingKey, startBenchRedis, startSystem, systemConfigYaml } from './system.mjs';
import { enrollTotpUsers, totpChooser } from './totp-population.mjs';

/**
 * The pipeline under test: `userCount` TOTP users enrolled, the roles (ingress, worker, results-api)
 * started as processes on `redisUrl` with the extra environment `env`, then `use({ secret,
 * targets, nextLogin, processes })` (what a load generator needs), then the roles stopped. Returns
 * `{ enrollSeconds, result }` with `use`'s result.
 */
export async function withPipeline({ redisUrl, userCount, log = () => {}, env = {} }, use) {
  const secret = randomBytes(16).toString('hex');
  const sealingKey = newSealingKey();
  const seed = randomBytes(16);
  log(`enrolling ${userCount} TOTP users`);
  const enrollStart = performance.now();
  await enrollTotpUsers({ redisUrl, keyPrefix: '{rmfa}', sealingKey, seed, count: userCount });
  const enrollSeconds = (performance.now() - enrollStart) / 1000;
  const system = await startSystem({
    configYaml: systemConfigYaml({ redisUrl, sealingKey, clients: [benchClient(secret)] }),
    roles: ['ingress', 'worker', 'results'],
    env,
  });
  try {
    const [ingress] = system.byRole('ingress');
    const chooser = totpChooser({ seed, count: userCount });
    const result = await use({
      secret,
      targets: [{ host: '127.0.0.1', port: ingress.ports.radius }],
      nextLogin: () => {
        const login = chooser.next();
        // firstFactor: none, prompt: append: the code alone is the User-Password, as a NAS sends it.
        return login && { user: login.user, password: login.code };
      },
      processes: Object.fromEntries(system.processes.map((p) => [p.role, p.pid])),
    });
    return { enrollSeconds, result };
  } finally {
    await system.stop();
  }
}

/** `env`: extra environment of the role processes (e.g. NODE_OPTIONS=--cpu-prof for a profile). */
export async function measurePipeline({ redisUrl, seconds, userCount, log = () => {}, env = {} }) {
  const { enrollSeconds, result } = await withPipeline({ redisUrl, userCount, log, env }, (load) => measureLoginRates({ ...load, redisUrl, seconds, log }));
  return { users: userCount, enrollSeconds: round(enrollSeconds, 1), ...result };
}

/**
 * For the paced diagnostics (latency-curve, syscalls-per-login): a private Redis, the pipeline on
 * it and a load client, then `use({ drive, pids })`: `drive(rate, seconds, warmupSeconds = 1)`
 * paces logins and resolves with their counts and latencies; `pids` of ingress, worker, results
 * and Redis. Returns `use`'s result.
 */
export async function withPacedPipeline({ userCount, log = () => {} }, use) {
  const redis = await startBenchRedis();
  try {
    const { result } = await withPipeline({ redisUrl: redis.url, userCount, log }, async ({ secret, targets, nextLogin, processes }) => {
      const client = await openRadiusClient({ secret, sockets: 4 });
      try {
        const drive = (rate, seconds, warmupSeconds = 1) => driveLogins({ client, secret, targets, nextLogin, inFlight: client.capacity, rate, seconds, warmupSeconds });
        return await use({ drive, pids: { ...processes, redis: redis.process.pid } });
      } finally {
        await client.close();
      }
    });
    return result;
  } finally {
    await redis.stop();
  }
}

/**
 * For the diagnostic runners (profile-pipeline, probe-pipeline): `[seconds] [users] [dir]` from the
 * command line, `dir` emptied, then one pipeline measurement on a private Redis with the role
 * environment `env(dir)`. Returns { result, dir }.
 */
export async function diagnosePipeline({ defaultDir, env }) {
  const seconds = Number(process.argv[2] ?? 6);
  const userCount = Number(process.argv[3] ?? 60_000);
  const dir = process.argv[4] ?? defaultDir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const redis = await startBenchRedis();
  try {
    return { result: await measurePipeline({ redisUrl: redis.url, seconds, userCount, env: env(dir) }), dir };
  } finally {
    await redis.stop();
  }
}
