// Redis topologies on loopback for fault tests: a primary with a replica watched by three
// sentinels (Debian `redis-sentinel`), and a three-primary Redis Cluster.
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeTcpPort, startRedisServer, waitForRedis } from '@radius-mfa/testing';

const run = promisify(execFile);

export async function redisCli(port, ...args) {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

async function startSentinel(masterName, masterPort, quorum) {
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-sentinel-'));
  const port = await freeTcpPort();
  // Sentinel rewrites its config file (what it learns), so each gets its own writable copy.
  writeFileSync(
    join(dir, 'sentinel.conf'),
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'protected-mode no',
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} ${quorum}`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 10000`,
      `sentinel parallel-syncs ${masterName} 1`,
      '',
    ].join('\n'),
  );
  const child = spawn('redis-sentinel', [join(dir, 'sentinel.conf')], { stdio: 'ignore' });
  await waitForRedis('127.0.0.1', port);
  return {
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A primary, one replica and three sentinels (quorum 2) monitoring `masterName`. `primary` and
 * `replica` are redis-server handles; `currentMasterPort()` asks a sentinel.
 */
export async function startSentinelSet(masterName = 'rmfa') {
  const primary = await startRedisServer();
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  const sentinels = [];
  try {
    // The replica must be in sync before a failover can promote it.
    for (let i = 0; (await redisCli(replica.port, 'INFO', 'replication')).includes('master_link_status:up') === false; i++) {
      if (i > 200) throw new Error('replica never synced');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(masterName, primary.port, 2));
  } catch (error) {
    await Promise.all([...sentinels.map((s) => s.stop()), replica.stop(), primary.stop()]);
    throw error;
  }
  return {
    masterName,
    primary,
    replica,
    sentinels,
    /** `host:port` of each sentinel, for `redis.sentinel.sentinels`. */
    addresses: sentinels.map((s) => `127.0.0.1:${s.port}`),
    async currentMasterPort() {
      const answer = await redisCli(sentinels[0].port, 'SENTINEL', 'get-master-addr-by-name', masterName);
      return Number(answer.split('\n')[1]);
    },
    async stop() {
      await Promise.all([...sentinels.map((s) => s.stop()), replica.stop(), primary.stop()]);
    },
  };
}

/** Three cluster-enabled primaries on loopback joined with `redis-cli --cluster create`, no replicas. */
export async function startRedisCluster() {
  const nodes = [];
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '5000'] }));
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (let i = 0; !(await redisCli(nodes[0].port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'); i++) {
      if (i > 300) throw new Error('cluster never reached cluster_state:ok');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw error;
  }
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    stop: () => Promise.all(nodes.map((n) => n.stop())),
  };
}
