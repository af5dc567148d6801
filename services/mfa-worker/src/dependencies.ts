// Everything a decision needs, built once from the config and two Redis connections.
import type { Redis, Cluster } from 'ioredis';
import { redisKeys } from '@radius-mfa/contracts';
import type { Config } from '@radius-mfa/config';
import {
  AcsSmsSender,
  acsVoiceApproverFromConfig,
  clientUsesEntra,
  createEntraConnection,
  entraOptionsFromConfig,
  normalizeUserName,
  DirectoryError,
  type AcsVoiceApprover,
  type EntraConnection,
  type EntraOptions,
} from '@radius-mfa/directory';
import {
  createChallengeStore,
  createEnrollmentLinks,
  createCodeSender,
  createNotifier,
  createOtpCodeStore,
  createPushLimiter,
  createSealer,
  createUserStore,
  DEFAULT_PUSH_LIMITS,
} from '@radius-mfa/mfa';
import type { Logger, Metrics } from '@radius-mfa/runtime';
import { createAuditWriter } from './audit.js';
import { createEntraUserSource } from './entra-user-source.js';
import { compileClients } from './clients.js';
import { createFirstFactorProviders } from './first-factors.js';
import type { JobDependencies } from './job.js';
import type { PushSettings } from './push.js';
import type { PhoneCodeSettings } from './phone-codes.js';
import { createStateStore } from './state-store.js';
import type { VoiceCallSettings } from './voice-call.js';

export interface WorkerDependencies extends JobDependencies {
  /** Closes the directory connections (Redis belongs to the caller). */
  close(): Promise<void>;
}

export interface DependencyOptions {
  readonly config: Config;
  /** Connection for commands (not the BullMQ blocking one). */
  readonly redis: Redis | Cluster;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /**
   * The process's one Entra connection (the composition root builds it and closes it). Without
   * it, one is built here from `directories.entra` when something needs it, and closed by `close()`.
   */
  readonly entraConnection?: EntraConnection;
  /** Entra options laid over the config's when the connection is built here (tests). */
  readonly entra?: Partial<EntraOptions>;
  /**
   * The ACS voice approver shared with results-api (same callback key). Without it, one is built
   * from `mfa.voice.sender` when that is `acs`.
   */
  readonly voiceApprover?: Pick<AcsVoiceApprover, 'startCall'>;
}

/** Whether anything configured talks to Entra: a client's users, or an ACS sender. */
function needsEntra(config: Config): boolean {
  return config.clients.some(clientUsesEntra) || config.mfa.sms?.sender.type === 'acs' || config.mfa.voice?.sender.type === 'acs';
}

export function createWorkerDependencies(options: DependencyOptions): WorkerDependencies {
  const { config, logger, metrics } = options;
  // libs/mfa types its stores with `Redis`; a Cluster client offers the same commands they use.
  const redis = options.redis as Redis;
  const keys = redisKeys(config.redis.keyPrefix);
  const sealer = createSealer(config.security.sealingKeys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') })));
  const normalizeUser = (raw: string): string => normalizeUserName(raw, config.userNames);
  const users = createUserStore({ redis, keys, sealer, totp: config.mfa.totp });
  const challenges = createChallengeStore({ redis, keys });
  const providerLogger = logger.child({ component: 'directory' });
  // One connection for the first factor, the user source and ACS: one token cache, one Graph cache.
  let ownEntra: EntraConnection | undefined;
  const entraConnection = (): EntraConnection => {
    if (options.entraConnection) return options.entraConnection;
    if (!ownEntra) {
      const base = entraOptionsFromConfig(config);
      if (!base) throw new DirectoryError('config', 'Entra is used (firstFactor or userSource entra, or an acs sender) but directories.entra is not configured');
      ownEntra = createEntraConnection({ ...base, ...options.entra });
    }
    return ownEntra;
  };
  const entra = config.directories.entra && needsEntra(config) ? entraConnection() : undefined;
  const firstFactors = createFirstFactorProviders(config, normalizeUser, entra && (() => entra), {
    warn: (details, message) => providerLogger.warn(details, message),
    error: (details, message) => providerLogger.error(details, message),
  });

  const pushConfig = config.mfa.push;
  const push: PushSettings | undefined = pushConfig && {
    challenges,
    limiter: createPushLimiter({ redis, keys, limits: pushConfig.limits, suppressAfterDenials: pushConfig.suppressAfterDenials }),
    notifier: createNotifier(pushConfig.notifier),
    notifierConfig: pushConfig.notifier,
    timeoutMs: pushConfig.timeoutSeconds * 1000,
    numberMatching: pushConfig.numberMatching,
    publicUrl: config.api.publicUrl ?? config.api.listen,
  };

  // Texts and calls share the per-user out-of-band budget with push; without mfa.push, its default limits.
  const outOfBandLimiter = push?.limiter ?? createPushLimiter({ redis, keys, limits: DEFAULT_PUSH_LIMITS, suppressAfterDenials: 3 });
  // Wrong SMS/voice codes count towards the TOTP lockout of the same user (one lockout for every typed code).
  const lockout = { maxAttempts: config.mfa.totp.maxAttempts, lockoutSeconds: config.mfa.totp.lockoutSeconds };
  const smsConfig = config.mfa.sms;
  const sms: PhoneCodeSettings | undefined = smsConfig && {
    channel: 'sms',
    codes: createOtpCodeStore({ redis, keys, codeLength: smsConfig.codeLength, ttlSeconds: smsConfig.ttlSeconds, maxAttempts: smsConfig.maxAttempts, lockout }),
    limiter: outOfBandLimiter,
    ttlMs: smsConfig.ttlSeconds * 1000,
    sender: createCodeSender(smsConfig.sender, { acs: (sender) => new AcsSmsSender(entraConnection(), { from: sender.from }) }),
  };
  // A webhook voice sender reads a code out; an ACS one places an approval call (press #) whose
  // answer reaches results-api through the signed callback.
  const voiceConfig = config.mfa.voice;
  const voice: PhoneCodeSettings | undefined =
    voiceConfig?.sender.type === 'webhook'
      ? {
          channel: 'voice',
          codes: createOtpCodeStore({ redis, keys, codeLength: smsConfig?.codeLength ?? 6, ttlSeconds: voiceConfig.ttlSeconds, maxAttempts: smsConfig?.maxAttempts ?? 3, lockout }),
          limiter: outOfBandLimiter,
          ttlMs: voiceConfig.ttlSeconds * 1000,
          sender: createCodeSender(voiceConfig.sender),
        }
      : undefined;
  const approver =
    voiceConfig?.sender.type === 'acs'
      ? (options.voiceApprover ?? acsVoiceApproverFromConfig(config, entraConnection()))
      : undefined;
  const voiceCall: VoiceCallSettings | undefined = voiceConfig && approver && { challenges, approver, limiter: outOfBandLimiter, timeoutMs: voiceConfig.ttlSeconds * 1000 };

  return {
    config,
    redis,
    keys,
    sealer,
    users,
    enrollmentLinks: createEnrollmentLinks(redis, keys),
    firstFactors,
    states: createStateStore(redis, keys),
    totp: { redis, keys, sealer, totp: config.mfa.totp },
    ...(push && { push }),
    ...(sms && { sms }),
    ...(voice && { voice }),
    ...(voiceCall && { voiceCall }),
    ...(entra && { entra: createEntraUserSource(entra.directory) }),
    logger,
    clients: compileClients(config, normalizeUser),
    normalizeUser,
    audit: createAuditWriter(redis, keys, logger),
    ...(metrics && { metrics, countProviderRequest: (provider: string, outcome: string) => metrics.mfaProviderRequests.inc({ provider, outcome }) }),
    async close() {
      await firstFactors.close();
      ownEntra?.close();
    },
  };
}
