#!/usr/bin/env node
// `npm run bench -- freeradius [seconds] [users]`: FreeRADIUS 3.2 from Debian with rlm_totp doing
// the same TOTP job (`,123456` in User-Password, checked against the user's secret) under the same
// generator, and the pipeline measured in the same run: `ratioToFreeRadius` = pipeline ÷ FreeRADIUS.
// rlm_totp 3.2.1 has no replay protection, no shared state and checks the current step only, so
// FreeRADIUS is an upper bound, not a peer; its replies carry no Message-Authenticator (checked
// when present). Prints one JSON line last.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { base32Encode } from '@radius-mfa/mfa';
import { startFreeRadius } from '@radius-mfa/testing';
import { measureLoginRates } from './_lib/login-rates.mjs';
import { measurePipeline } from './_lib/pipeline-measure.mjs';
import { round } from './_lib/stats.mjs';
import { startBenchRedis } from './_lib/system.mjs';
import { totpChooser, userName, userSecret } from './_lib/totp-population.mjs';

const seconds = Number(process.argv[2] ?? 8);
const userCount = Number(process.argv[3] ?? 200_000);
const log = (message) => console.error(`[freeradius] ${message}`);

/** The freeradius binary's version line, or undefined when it is not installed. */
function freeRadiusVersion() {
  try {
    return execFileSync('freeradius', ['-v'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

const version = freeRadiusVersion();
if (!version) {
  console.log(JSON.stringify({ bench: 'freeradius', error: 'freeradius is not installed (apt-get install -y freeradius)' }));
  process.exit(1);
}

const secret = randomBytes(16).toString('hex');
const seed = randomBytes(16);
log(`starting ${version} with ${userCount} users`);
// The tests' fixture (libs/testing, built by `tsc -b`), under load: four threads, Message-Authenticator required.
const server = await startFreeRadius({
  secret,
  totpSecrets: Array.from({ length: userCount }, (_, i) => [userName(i), base32Encode(userSecret(seed, i))]),
  threads: 4,
  requireMessageAuthenticator: true,
});
let freeRadius;
try {
  const chooser = totpChooser({ seed, count: userCount, earliest: 0, latest: 0 });
  freeRadius = await measureLoginRates({
    secret,
    targets: [{ host: '127.0.0.1', port: server.port }],
    nextLogin: () => {
      const login = chooser.next();
      return login && { user: login.user, password: `,${login.code}` };
    },
    processes: { freeradius: server.pid },
    seconds,
    requireMessageAuthenticator: false,
    log,
  });
} finally {
  await server.stop();
}

const redis = await startBenchRedis();
try {
  const pipeline = await measurePipeline({ redisUrl: redis.url, seconds, userCount, log });
  console.log(
    JSON.stringify({
      bench: 'freeradius',
      version,
      seconds,
      users: userCount,
      freeRadius,
      pipeline: { authPerSec: pipeline.authPerSec, p50Ms: pipeline.p50Ms, p99Ms: pipeline.p99Ms, cpuSecondsPer1000Logins: pipeline.cpuSecondsPer1000Logins },
      authPerSec: freeRadius.authPerSec,
      ratioToFreeRadius: round(pipeline.authPerSec / freeRadius.authPerSec),
      cores: cpus().length,
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
    }),
  );
} finally {
  await redis.stop();
}
