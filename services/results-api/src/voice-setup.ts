// Whether voice approval through ACS Call Automation is configured for this deployment.
import type { Config } from '@radius-mfa/config';

/**
 * Call Automation callbacks exist only for `mfa.voice.sender.type: acs` (a webhook voice sender
 * reports nothing back). The callback route is registered only then, and only with an approver.
 */
export function voiceApprovalConfigured(config: Config): boolean {
  return config.mfa.voice?.sender.type === 'acs';
}
