// The checks behind `radius-mfa doctor`: each says what it found and, when something is wrong, the fix.
import { randomBytes } from 'node:crypto';
import type { Config, ConfigProblem, FirstFactor } from '@radius-mfa/config';
import { redisKeys } from '@radius-mfa/contracts';
import { EntraError, acsVoiceApproverFromConfig, createEntraConnection, diagnoseEntra, entraOptionsFromConfig, type EntraConnection, type FirstFactorProvider } from '@radius-mfa/directory';
import { SealError, createSealerFromBase64, createUserStore } from '@radius-mfa/mfa';
import type { RedisClient } from '@radius-mfa/runtime';
import type { Redis } from 'ioredis';

export type FindingStatus = 'ok' | 'warn' | 'fail';

export interface Finding {
  readonly check: string;
  readonly status: FindingStatus;
  readonly detail: string;
  /** What to do; empty when the status is ok. */
  readonly fix: string;
}

const ok = (check: string, detail: string): Finding => ({ check, status: 'ok', detail, fix: '' });

/** A problem the config check found, as a finding: its errors fail, its warnings warn. */
export function configProblemFinding(problem: ConfigProblem, status: 'warn' | 'fail'): Finding {
  return { check: `config ${problem.path}`, status, detail: problem.message, fix: problem.fix };
}

/** Each client's secret strength and timeout, from the config's own warnings (one rule, one place). */
export function clientFindings(config: Config, warnings: readonly ConfigProblem[]): Finding[] {
  const findings: Finding[] = [];
  config.clients.forEach((client, i) => {
    for (const [key, label] of [
      ['secret', 'secret strength'],
      ['timeoutSeconds', 'NAS timeout'],
    ] as const) {
      const warning = warnings.find((w) => w.path === `clients[${i}].${key}`);
      findings.push(
        warning
          ? { check: `client ${client.name}: ${label}`, status: 'warn', detail: `${warning.path} ${warning.message}`, fix: warning.fix }
          : ok(`client ${client.name}: ${label}`, key === 'secret' ? `${client.secret.length} characters` : `answers within ${client.timeoutSeconds} s`),
      );
    }
  });
  const covered = /^clients\[\d+\]\.(secret|timeoutSeconds)$/;
  for (const warning of warnings.filter((w) => !covered.test(w.path))) findings.push(configProblemFinding(warning, 'warn'));
  return findings;
}

/** Settings that work but weaken the deployment: each says what an attacker or an outage gains. */
export function hardeningFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  for (const client of config.clients) {
    if (!client.requireMessageAuthenticator) {
      findings.push({
        check: `client ${client.name}: Message-Authenticator`,
        status: 'warn',
        detail: 'requireMessageAuthenticator is off: Access-Requests without it are accepted (BlastRADIUS, CVE-2024-3596)',
        fix: 'update the NAS so it sends Message-Authenticator, then remove requireMessageAuthenticator: false',
      });
    }
  }
  if (config.directories.radius && !config.directories.radius.requireMessageAuthenticator) {
    findings.push({
      check: 'directory radius: Message-Authenticator',
      status: 'warn',
      detail: 'directories.radius.requireMessageAuthenticator is off: a forged upstream Access-Accept without it is believed (BlastRADIUS, CVE-2024-3596)',
      fix: 'update the upstream (FreeRADIUS 3.2.5+, patched NPS) so its answers carry Message-Authenticator, then remove requireMessageAuthenticator: false',
    });
  }
  const publicUrl = new URL(config.api.publicUrl ?? config.api.listen);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(publicUrl.hostname);
  if (publicUrl.protocol === 'http:' && !loopback && (config.mfa.push !== undefined || config.clients.some((c) => c.unenrolled === 'enroll'))) {
    findings.push({
      check: 'api.publicUrl',
      status: 'warn',
      detail: `${publicUrl.origin} is plain HTTP: approval and enrollment links travel to phones unencrypted`,
      fix: 'put results-api behind TLS and set api.publicUrl to its https:// address (behind a reverse proxy, list its addresses in api.trustProxy)',
    });
  }
  return findings;
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/** BullMQ loses jobs under any policy that evicts keys; it needs noeviction (FIELD-NOTES). */
export async function redisFindings(redis: RedisClient, where: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  // INFO works where CONFIG GET is disabled (managed Redis services).
  const info = (await redis.info()) as string;
  const version = infoField(info, 'redis_version') ?? 'unknown';
  const [major = 0, minor = 0] = version.split('.').map(Number);
  findings.push(
    major > 6 || (major === 6 && minor >= 2)
      ? ok('redis', `${where} answers (Redis ${version})`)
      : { check: 'redis', status: 'warn', detail: `${where} runs Redis ${version}`, fix: 'use Redis 6.2 or later (BullMQ and this tool rely on its commands)' },
  );
  const persistence = (await redis.info('persistence')) as string;
  findings.push(
    infoField(persistence, 'aof_enabled') === '1'
      ? ok('redis persistence', 'append-only file on')
      : {
          check: 'redis persistence',
          status: 'warn',
          detail: 'the append-only file is off: enrollments written since the last snapshot are lost if Redis restarts',
          fix: 'set `appendonly yes` (AOF, everysec) on the Redis that holds enrollments',
        },
  );
  const policy = infoField(info, 'maxmemory_policy') ?? 'unknown';
  findings.push(
    policy === 'noeviction'
      ? ok('redis eviction policy', 'noeviction')
      : {
          check: 'redis eviction policy',
          status: 'fail',
          detail: `maxmemory-policy is ${policy}: under memory pressure Redis would drop queued sign-ins and enrollments`,
          fix: 'set `maxmemory-policy noeviction` (redis.conf, or `CONFIG SET maxmemory-policy noeviction`)',
        },
  );
  return findings;
}

/** TOTP and challenge expiry compare this host's clock with Redis's: a skew shifts every code window. */
export async function clockFinding(redis: RedisClient, period: number): Promise<Finding> {
  const before = Date.now();
  const [seconds, micros] = (await redis.time()) as [string | number, string | number];
  const after = Date.now();
  const redisMs = Number(seconds) * 1000 + Number(micros) / 1000;
  const skewMs = Math.round(redisMs - (before + after) / 2);
  const detail = `this host is ${Math.abs(skewMs)} ms ${skewMs > 0 ? 'behind' : 'ahead of'} Redis (round trip ${after - before} ms)`;
  const fix = 'run NTP (chrony, systemd-timesyncd) on this host and on the Redis host';
  if (Math.abs(skewMs) >= (period * 1000) / 2) return { check: 'clock', status: 'fail', detail: `${detail}: TOTP codes land in the wrong ${period} s window`, fix };
  if (Math.abs(skewMs) >= 2_000) return { check: 'clock', status: 'warn', detail, fix };
  return ok('clock', detail);
}

/** A sealed secret that no configured key opens means a key was removed too early (rotation). */
export async function sealingFinding(config: Config, redis: RedisClient): Promise<Finding> {
  const keys = redisKeys(config.redis.keyPrefix);
  const users = createUserStore({ redis: redis as Redis, keys, sealer: createSealerFromBase64(config.security.sealingKeys), totp: config.mfa.totp });
  const sample = (await redis.srandmember(keys.users(), 20)) as string[];
  let opened = 0;
  let withoutTotp = 0;
  for (const name of sample) {
    try {
      if (await users.getTotpSecret(name)) opened++;
      else withoutTotp++;
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      return {
        check: 'sealing keys',
        status: 'fail',
        detail: `the TOTP secret of ${name} cannot be opened (${error.reason})`,
        fix: 'put back the sealing key it was sealed with (keep old keys after the new first one until every secret is re-enrolled)',
      };
    }
  }
  if (sample.length === 0) return ok('sealing keys', 'no enrolled users yet');
  // Push- or SMS-only users have no TOTP secret: they are neither opened nor failures.
  const others = withoutTotp === 0 ? '' : ` (${withoutTotp} sampled user${withoutTotp === 1 ? ' has' : 's have'} no TOTP)`;
  return ok('sealing keys', opened === 0 ? `no TOTP secret to open among ${sample.length} sampled users` : `${opened} sampled TOTP secret${opened === 1 ? '' : 's'} open with the configured keys${others}`);
}

/**
 * A sign-in that must fail, for a user that does not exist, with a random password: a Reject
 * proves the directory answers and accepts our credentials; `unavailable` is the problem to fix.
 */
export async function directoryFinding(kind: FirstFactor, provider: FirstFactorProvider, timeoutMs: number): Promise<Finding> {
  const check = `directory ${kind}`;
  const result = await provider.authenticate(
    { user: `radius-mfa-doctor-${randomBytes(4).toString('hex')}`, password: randomBytes(12) },
    { signal: AbortSignal.timeout(timeoutMs) },
  );
  if (result.outcome === 'unavailable') {
    return {
      check,
      status: 'fail',
      detail: result.reason,
      fix: kind === 'ldap' ? 'check directories.ldap url, bindDn and bindPassword, and that this host may reach the server' : 'check directories.radius servers and secret, and that the upstream lists this host as a client',
    };
  }
  return ok(check, `answers (a probe sign-in for an unknown user was refused as expected: ${result.outcome === 'reject' ? result.reason : 'accepted?!'})`);
}

/** The Entra connection as `start` builds it (pinned CA file, credential), its tokens, a user lookup, and the voice approval call. */
export async function entraFindings(config: Config, probeUser: string | undefined): Promise<Finding[]> {
  let connection: EntraConnection;
  try {
    const options = entraOptionsFromConfig(config);
    if (!options) return [];
    connection = createEntraConnection(options);
  } catch (error) {
    if (!(error instanceof EntraError)) throw error;
    return [{ check: 'entra connection', status: 'fail', detail: `${error.code}: ${error.message}`, fix: 'correct directories.entra (caCertificates, clientCertificate or clientSecret); the message says which' }];
  }
  try {
    const checks = await diagnoseEntra(connection, probeUser === undefined ? {} : { probeUser });
    const findings: Finding[] = checks.map((c) =>
      c.ok ? ok(`entra ${c.check}`, c.message) : { check: `entra ${c.check}`, status: 'fail', detail: c.message, fix: 'check tenantId, clientId and the credential of the app registration, and its Graph permissions' },
    );
    if (config.directories.entra?.caCertificates !== undefined) findings.unshift(ok('entra pinned CA', `Entra, Graph and ACS are trusted through ${config.directories.entra.caCertificates} only`));
    findings.push(...voiceApprovalFindings(config, connection));
    return findings;
  } finally {
    connection.close();
  }
}

/** `mfa.voice.sender: acs`: the approver can be built, and ACS can reach the callback URL it signs. */
function voiceApprovalFindings(config: Config, connection: EntraConnection): Finding[] {
  if (config.mfa.voice?.sender.type !== 'acs') return [];
  let callback: URL;
  try {
    const approver = acsVoiceApproverFromConfig(config, connection);
    // The signature is left out of what is shown: it proves nothing without the challenge.
    callback = new URL(approver?.callbackUrl('0'.repeat(32)) ?? '');
    callback.search = '';
  } catch (error) {
    if (!(error instanceof EntraError)) throw error;
    return [{ check: 'voice approval (acs)', status: 'fail', detail: error.message, fix: 'correct mfa.voice.sender (from, callbackSecret, cognitiveServicesEndpoint or promptUrl)' }];
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(callback.hostname);
  if (callback.protocol !== 'https:' || loopback) {
    return [
      {
        check: 'voice approval (acs)',
        status: 'warn',
        detail: `Call Automation posts the key pressed to ${callback.origin}: ACS needs a public https:// address to reach it`,
        fix: 'set mfa.voice.sender.callbackBaseUrl (or api.publicUrl) to the https:// address at which ACS reaches results-api',
      },
    ];
  }
  return [ok('voice approval (acs)', `calls from ${config.mfa.voice.sender.from}; callbacks to ${callback.origin}${callback.pathname.replace(/\/0+$/, '/{challenge}')}`)];
}

/** Any HTTP answer means the URL is reachable; the product's signed POST is not sent. */
export async function httpFinding(check: string, url: string, timeoutMs: number): Promise<Finding> {
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return ok(check, `${new URL(url).host} answers (HTTP ${response.status})`);
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return { check, status: 'fail', detail: `${new URL(url).host} does not answer: ${reason}`, fix: `check the URL and that this host may reach ${new URL(url).host}` };
  }
}
