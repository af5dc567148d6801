import { readFileSync } from 'node:fs';
import type { ClientConfig, Config } from '@radius-mfa/config';
import { AcsVoiceApprover } from './acs-voice-approval.js';
import type { EntraConnection } from './connection.js';
import { EntraError } from './errors.js';
import type { EntraOptions } from './options.js';

/**
 * Whether a client's users, groups and phones come from Entra: `firstFactor: entra` always,
 * any other first factor with `userSource: entra` (RD Gateway behind NPS, LDAP passwords with
 * Entra groups).
 */
export function clientUsesEntra(client: Pick<ClientConfig, 'firstFactor' | 'userSource'>): boolean {
  return client.firstFactor === 'entra' || client.userSource === 'entra';
}

/** Every group object id some Entra client's rules name: what checkMemberGroups is asked about. */
export function entraPolicyGroupIds(clients: readonly ClientConfig[]): string[] {
  // Object ids compare without case (the worker's rules lower-case them); Graph is sent them as written.
  const ids = new Map<string, string>();
  for (const client of clients.filter(clientUsesEntra)) {
    for (const id of [...client.bypass.groups, ...client.requireGroups, ...Object.keys(client.groupAttributes)]) {
      if (!ids.has(id.toLowerCase())) ids.set(id.toLowerCase(), id);
    }
  }
  return [...ids.values()];
}

/**
 * The connection options a config stands for: the pinned CA read from its file (the config
 * holds a path), the SMS caller id from `mfa.sms.sender` when it is ACS, and the groups the
 * clients' rules name, so a sign-in costs one checkMemberGroups call, not getMemberGroups.
 */
export function entraOptionsFromConfig(config: Config): EntraOptions | undefined {
  const section = config.directories.entra;
  if (!section) return undefined;
  let caCertificates: string | undefined;
  if (section.caCertificates !== undefined) {
    try {
      caCertificates = readFileSync(section.caCertificates, 'utf8');
    } catch (error) {
      throw new EntraError('config', `cannot read directories.entra.caCertificates ${section.caCertificates}: ${(error as Error).message}`, { cause: error });
    }
    if (!caCertificates.includes('-----BEGIN CERTIFICATE-----')) throw new EntraError('config', `directories.entra.caCertificates ${section.caCertificates} holds no PEM certificate`);
  }
  const sms = config.mfa.sms?.sender;
  const { caCertificates: _path, smsFrom, ...rest } = section;
  const from = sms?.type === 'acs' ? sms.from : smsFrom;
  return {
    ...rest,
    ...(caCertificates !== undefined && { caCertificates }),
    ...(from !== undefined && { smsFrom: from }),
    policyGroupIds: entraPolicyGroupIds(config.clients),
  };
}

/** Where results-api takes Call Automation callbacks, under its public URL; the challenge id and signature follow. */
export const VOICE_CALLBACK_PATH = '/v1/voice/callback';

/** `{public base}/v1/voice/callback`: the `callbackBaseUrl` of AcsVoiceApprover. */
export function voiceCallbackBaseUrl(publicBase: string): string {
  return `${publicBase.replace(/\/+$/, '')}${VOICE_CALLBACK_PATH}`;
}

/**
 * The ACS voice approver `mfa.voice.sender: acs` describes; undefined for any other voice sender.
 * Worker and results-api build the same one (same key), or share the composition root's.
 */
export function acsVoiceApproverFromConfig(config: Config, connection: EntraConnection): AcsVoiceApprover | undefined {
  const sender = config.mfa.voice?.sender;
  if (sender?.type !== 'acs') return undefined;
  const prompt = sender.promptUrl !== undefined ? { fileUri: sender.promptUrl } : sender.promptText !== undefined ? { text: sender.promptText } : undefined;
  return new AcsVoiceApprover(connection, {
    callbackBaseUrl: voiceCallbackBaseUrl(sender.callbackBaseUrl ?? config.api.publicUrl ?? config.api.listen),
    callbackSecret: Buffer.from(sender.callbackSecret, 'utf8'),
    from: sender.from,
    ...(prompt && { prompt }),
    ...(sender.cognitiveServicesEndpoint !== undefined && { cognitiveServicesEndpoint: sender.cognitiveServicesEndpoint }),
  });
}
