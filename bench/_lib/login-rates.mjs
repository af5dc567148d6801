// The two load figures every server under test gets from the same generator: the closed-loop
// peak (with CPU per 1,000 logins per process, and Redis figures when a Redis is given) and the
// latency when paced at half that peak.
import { cpuMeter } from './process-cpu.mjs';
import { driveLogins, openRadiusClient } from './radius-load.mjs';
import { commandsPerUnit, redisMeter } from './redis-stats.mjs';
import { round } from './stats.mjs';

/**
 * `processes`: { name: pid } whose CPU is metered (the generator is added). `redisUrl`: also meter
 * Redis commands and CPU. `nextLogin`: { user, password } or undefined.
 */
export async function measureLoginRates({ secret, targets, nextLogin, processes, redisUrl, seconds, inFlight = 256, requireMessageAuthenticator = true, log = () => {} }) {
  const client = await openRadiusClient({ secret, sockets: 4, requireMessageAuthenticator });
  try {
    log(`closed loop, ${inFlight} in flight, ${seconds} s`);
    let cpu;
    let redis;
    const peak = await driveLogins({
      client,
      secret,
      targets,
      nextLogin,
      inFlight,
      seconds,
      warmupSeconds: 2,
      onMeasureStart: async () => {
        if (redisUrl) redis = await redisMeter(redisUrl);
        cpu = cpuMeter({ ...processes, generator: process.pid });
      },
    });
    const cpuUsed = cpu.read();
    const redisUsed = await redis?.read();
    await redis?.close();
    const logins = peak.counts.accept;
    const cpuPer1000 = Object.fromEntries(Object.entries(cpuUsed).map(([name, s]) => [name, round((s / logins) * 1000, 3)]));
    if (redisUsed) cpuPer1000.redis = round((redisUsed.cpuSeconds / logins) * 1000, 3);

    const halfRate = Math.max(1, Math.round(peak.answeredPerSec / 2));
    log(`paced at half the peak: ${halfRate}/s for ${seconds} s`);
    const half = await driveLogins({ client, secret, targets, nextLogin, inFlight: client.capacity, rate: halfRate, seconds, warmupSeconds: 1 });
    return {
      authPerSec: peak.perSec,
      peakCounts: peak.counts,
      peakP50Ms: peak.p50Ms,
      peakP99Ms: peak.p99Ms,
      halfRate,
      halfRateAchievedPerSec: half.perSec,
      halfRateCounts: half.counts,
      p50Ms: half.p50Ms,
      p99Ms: half.p99Ms,
      cpuSecondsPer1000Logins: cpuPer1000,
      ...(redisUsed && {
        redisCommandsPerAuth: round(redisUsed.total / logins),
        redisCommandsPerAuthByCommand: commandsPerUnit(redisUsed.perCommand, logins),
      }),
    };
  } finally {
    await client.close();
  }
}
