// `explain`: walks the worker's policy for one client and user without a sign-in, naming each step.
// The decisions come from the worker's own functions (compileClients, inRequiredGroups, bypassFor,
// usableMethods, decideUnenrolled, Prompts); only the order of the steps is restated here.
import type { Config, SecondFactorMethod } from '@radius-mfa/config';
import { Prompts, compileClients, decideUnenrolled, inRequiredGroups, usableMethods, type ClientRuntime } from '@radius-mfa/mfa-worker';
import type { PushLimitWindow, UserRecord } from '@radius-mfa/mfa';
import { describeActiveLimit, retryAfterSeconds, type PushLimits } from './push-limit-status.js';

export type ExplainOutcome = 'accept' | 'reject' | 'second-factor' | 'enroll';

export interface ExplainStep {
  readonly step: string;
  readonly result: string;
}

export interface Explanation {
  readonly client: string;
  readonly user: string;
  readonly groups: readonly string[];
  readonly outcome: ExplainOutcome;
  /** The worker's reason label (as in the audit log and metrics). */
  readonly reason: string;
  /** What the person sees (Reply-Message), when the worker would show something. */
  readonly message?: string;
  readonly steps: readonly ExplainStep[];
}

export interface ExplainInput {
  readonly config: Config;
  readonly client: ClientRuntime;
  readonly user: string;
  readonly groups: readonly string[];
  readonly groupsSource: string;
  readonly callingStationId?: string;
  readonly enrolled: UserRecord | undefined;
  /** The full push-limit window running now, if any (pushes, calls and texts share it). */
  readonly pushLimit?: PushLimitWindow;
  readonly pushLimits: PushLimits;
  readonly now: number;
}

/** How the worker names what a full window refuses, in its reason label and Reply-Message. */
const LIMITED: Readonly<Record<string, string>> = { push: 'pushes', sms: 'texts' };

export class UnknownClientError extends Error {
  readonly code = 'UNKNOWN_CLIENT';
  constructor(
    readonly client: string,
    readonly known: readonly string[],
  ) {
    super(`no client named "${client}" in the config (clients: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownClientError';
  }
}

export function clientRuntime(config: Config, name: string, normalize: (user: string) => string): ClientRuntime {
  const clients = compileClients(config, normalize);
  const client = clients.get(name);
  if (!client) throw new UnknownClientError(name, [...clients.keys()]);
  return client;
}

function promptOutcome(client: ClientRuntime, methods: readonly SecondFactorMethod[]): Pick<Explanation, 'outcome' | 'reason' | 'message'> & { step: string } {
  switch (client.config.prompt) {
    case 'auto':
      return methods.includes('push')
        ? { outcome: 'second-factor', reason: 'push', step: 'a push is sent at once; the request is held until the tap (nothing can be shown)' }
        : { outcome: 'reject', reason: 'auto-prompt-without-push', message: Prompts.autoNeedsPush, step: 'prompt auto needs push, and the user has no push here' };
    case 'append':
      return {
        outcome: 'second-factor',
        reason: 'append',
        step: `the code goes after the password (password,123456${methods.includes('push') ? '; nothing or ",push" sends a push' : ''})`,
        ...(methods.includes('push') ? {} : { message: Prompts.appendHint }),
      };
    case 'challenge':
      return methods.length === 1
        ? { outcome: 'second-factor', reason: methods[0]!, step: `an Access-Challenge for ${methods[0]!}` }
        : { outcome: 'second-factor', reason: 'menu', message: Prompts.menu(methods), step: 'an Access-Challenge with a menu of the methods' };
  }
}

export function explainPolicy(input: ExplainInput): Explanation {
  const { config, client, user, groups, enrolled } = input;
  const steps: ExplainStep[] = [];
  const done = (outcome: ExplainOutcome, reason: string, message?: string): Explanation => ({
    client: client.config.name,
    user,
    groups,
    outcome,
    reason,
    ...(message !== undefined && { message }),
    steps,
  });

  steps.push({ step: 'first factor', result: client.config.firstFactor === 'none' ? 'none: the NAS checked the password' : `${client.config.firstFactor} checks the password (not tried by explain)` });
  steps.push({ step: 'groups', result: `${groups.length > 0 ? groups.join(', ') : 'none'} (${input.groupsSource})` });
  if (!inRequiredGroups(client.policy, groups)) {
    steps.push({ step: 'requireGroups', result: `not in any of ${client.config.requireGroups.join(', ')}` });
    return done('reject', 'not-in-required-group', Prompts.notInGroup);
  }
  if (client.config.requireGroups.length > 0) steps.push({ step: 'requireGroups', result: 'member' });
  const bypass = client.policy.bypassFor(user, groups, input.callingStationId);
  if (bypass) {
    steps.push({ step: 'bypass', result: `${bypass}: no second factor (audited)` });
    return done('accept', bypass);
  }
  steps.push({ step: 'bypass', result: 'no bypass rule matches' });
  if (enrolled?.fraudLockedAt !== undefined) {
    steps.push({ step: 'fraud lock', result: `locked since ${new Date(enrolled.fraudLockedAt).toISOString()} ("this wasn't me"); \`radius-mfa users unlock ${user}\` clears it` });
    return done('reject', 'fraud-locked', Prompts.locked);
  }
  const methods = usableMethods(client.config.methods, {
    totp: enrolled?.totp !== undefined,
    push: enrolled?.push !== undefined && config.mfa.push !== undefined,
    sms: enrolled?.phone !== undefined && config.mfa.sms !== undefined,
    voice: false,
  });
  steps.push({ step: 'methods', result: `client allows ${client.config.methods.join(', ')}; user can use ${methods.join(', ') || 'none'}` });
  if (enrolled?.lockedUntil !== undefined && enrolled.lockedUntil > input.now) {
    steps.push({ step: 'TOTP lockout', result: `codes refused until ${new Date(enrolled.lockedUntil).toISOString()} (too many wrong codes)` });
  }
  if (methods.length === 0) {
    // The grace clock starts at the user's first login without a factor; explain starts nothing.
    const decision = decideUnenrolled(client.policy, undefined, input.now);
    steps.push({ step: 'unenrolled', result: `unenrolled: ${client.config.unenrolled}${client.config.enrollGraceDays > 0 ? ` (grace of ${client.config.enrollGraceDays} days from the first such login)` : ''}` });
    if (decision.action === 'accept') return done('accept', decision.reason);
    if (decision.action === 'enroll') return done('enroll', decision.reason);
    return done('reject', decision.reason, Prompts.notEnrolled);
  }
  const limit = input.pushLimit;
  if (limit !== undefined && methods.some((m) => m === 'push' || m === 'sms')) {
    steps.push({ step: 'push limit', result: `${describeActiveLimit(limit, input.pushLimits)}; \`radius-mfa users unlock ${user}\` clears it` });
  }
  const prompt = promptOutcome(client, methods);
  steps.push({ step: `prompt ${client.config.prompt}`, result: prompt.step });
  const limited = LIMITED[prompt.reason];
  // The push or text would be sent at once, and the full window refuses it: the worker rejects.
  if (limit !== undefined && prompt.outcome === 'second-factor' && limited !== undefined) {
    return done('reject', `${prompt.reason}-rate-limited`, Prompts.pushLimited(`too many ${limited}, retry in ${retryAfterSeconds(limit)} s`));
  }
  return done(prompt.outcome, prompt.reason, prompt.message);
}
