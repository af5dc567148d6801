import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EntraConnection } from './connection.js';
import { EntraError } from './errors.js';
import { toE164 } from './acs-sms-sender.js';
import { trimEndpoint } from './options.js';

/** Call Automation REST version (GA). */
const CALL_AUTOMATION_API = '2023-10-15';

export interface AcsVoiceApprovalOptions {
  /** Public URL under which results-api receives Call Automation callbacks; the challenge id and a signature are appended. */
  callbackBaseUrl: string;
  /** HMAC-SHA256 key that signs each callback URL, so a forged callback cannot approve a sign-in. */
  callbackSecret: Buffer;
  /** Caller id (E.164) of an ACS number that may place calls. */
  from: string;
  /** What the callee hears. A text prompt needs `cognitiveServicesEndpoint` (ACS speaks it through Azure AI Speech). */
  prompt?: { text: string; voiceName?: string } | { fileUri: string };
  cognitiveServicesEndpoint?: string;
  /** Seconds of silence after the prompt before the call counts as unanswered (default 20). */
  answerTimeoutSeconds?: number;
}

/** `pending` until a decisive event arrives; then the call is hung up. */
export type VoiceApprovalOutcome = 'pending' | 'approved' | 'denied' | 'no-answer';

interface CallAutomationEvent {
  type?: string;
  data?: {
    callConnectionId?: string;
    dtmfResult?: { tones?: string[] };
    resultInformation?: { code?: number; subCode?: number; message?: string };
  };
}

const DEFAULT_PROMPT = { text: 'This is your sign-in verification call. If you are signing in now, press the pound key to approve. If not, hang up.', voiceName: 'en-US-JennyNeural' };

/**
 * Voice approval through ACS Call Automation: the callee hears a prompt and presses # to
 * approve (any other key denies, silence is no answer), as the NPS extension's phone call
 * does. Stateless: each callback names its call, and the challenge id travels in the signed
 * callback URL, so any results-api pod can handle any event.
 */
export class AcsVoiceApprover {
  readonly #connection: EntraConnection;
  readonly #options: AcsVoiceApprovalOptions;
  readonly #endpoint: string;

  constructor(connection: EntraConnection, options: AcsVoiceApprovalOptions) {
    if (!connection.options.acsEndpoint) throw new EntraError('config', 'voice approval through ACS needs directories.entra.acsEndpoint');
    if (options.callbackSecret.length < 16) throw new EntraError('config', 'the callback signing key needs at least 16 bytes');
    if (!toE164(options.from)) throw new EntraError('config', `voice caller id ${options.from} is not an E.164 number`);
    if ((!options.prompt || 'text' in options.prompt) && !options.cognitiveServicesEndpoint) {
      throw new EntraError('config', 'a spoken text prompt needs cognitiveServicesEndpoint (Azure AI services linked to ACS); or give a prompt fileUri');
    }
    this.#connection = connection;
    this.#options = options;
    this.#endpoint = trimEndpoint(connection.options.acsEndpoint);
  }

  #signature(challengeId: string): string {
    return createHmac('sha256', this.#options.callbackSecret).update(`acs-voice:${challengeId}`).digest('base64url');
  }

  /** The callback URL for one challenge. */
  callbackUrl(challengeId: string): string {
    const url = new URL(`${trimEndpoint(this.#options.callbackBaseUrl)}/${encodeURIComponent(challengeId)}`);
    url.searchParams.set('sig', this.#signature(challengeId));
    return url.href;
  }

  /** Whether a callback's signature is the one this server gave out for the challenge (constant time). */
  verifyCallback(challengeId: string, signature: string): boolean {
    const expected = Buffer.from(this.#signature(challengeId));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Places the call; the outcome arrives through `handleEvents`. */
  async startCall(challengeId: string, to: { user: string; phone?: string }, signal?: AbortSignal): Promise<{ callConnectionId: string }> {
    const phone = to.phone ?? (await this.#connection.directory.resolveUser(to.user, signal))?.phones.mobile;
    const target = phone === undefined ? undefined : toE164(phone);
    if (!target) throw new EntraError('config', `no usable phone number for ${to.user}`);
    const answer = await this.#call<{ callConnectionId?: string }>(
      '/calling/callConnections',
      {
        targets: [{ kind: 'phoneNumber', phoneNumber: { value: target } }],
        sourceCallerIdNumber: { value: toE164(this.#options.from) },
        callbackUri: this.callbackUrl(challengeId),
        operationContext: challengeId,
        ...(this.#options.cognitiveServicesEndpoint ? { callIntelligenceOptions: { cognitiveServicesEndpoint: this.#options.cognitiveServicesEndpoint } } : {}),
      },
      signal,
    );
    if (!answer?.callConnectionId) throw new EntraError('protocol', 'ACS created a call without a callConnectionId');
    return { callConnectionId: answer.callConnectionId };
  }

  /**
   * Handles one callback delivery (a JSON array of CloudEvents). Refuses a bad signature
   * with `EntraError('config')`; the caller answers 401 and changes nothing.
   */
  async handleEvents(challengeId: string, signature: string, events: unknown, signal?: AbortSignal): Promise<VoiceApprovalOutcome> {
    if (!this.verifyCallback(challengeId, signature)) throw new EntraError('config', 'Call Automation callback with a bad signature');
    let outcome: VoiceApprovalOutcome = 'pending';
    for (const event of Array.isArray(events) ? (events as CallAutomationEvent[]) : []) {
      const callConnectionId = event.data?.callConnectionId;
      if (!callConnectionId) continue;
      switch (event.type) {
        case 'Microsoft.Communication.CallConnected':
          await this.#askForPound(callConnectionId, challengeId, signal);
          break;
        case 'Microsoft.Communication.RecognizeCompleted': {
          const tones = event.data?.dtmfResult?.tones ?? [];
          outcome = tones[0] === 'pound' ? 'approved' : 'denied';
          await this.#hangUp(callConnectionId, signal);
          break;
        }
        case 'Microsoft.Communication.RecognizeFailed':
          outcome = 'no-answer';
          await this.#hangUp(callConnectionId, signal);
          break;
        case 'Microsoft.Communication.CreateCallFailed':
        case 'Microsoft.Communication.CallDisconnected':
          if (outcome === 'pending') outcome = 'no-answer';
          break;
        default:
          break;
      }
    }
    return outcome;
  }

  async #askForPound(callConnectionId: string, challengeId: string, signal?: AbortSignal): Promise<void> {
    const prompt = this.#options.prompt ?? DEFAULT_PROMPT;
    await this.#call(
      `/calling/callConnections/${encodeURIComponent(callConnectionId)}:recognize`,
      {
        recognizeInputType: 'dtmf',
        playPrompt: 'fileUri' in prompt ? { kind: 'file', file: { uri: prompt.fileUri } } : { kind: 'text', text: { text: prompt.text, voiceName: prompt.voiceName ?? DEFAULT_PROMPT.voiceName } },
        interruptCallMediaOperation: true,
        recognizeOptions: {
          interruptPrompt: true,
          initialSilenceTimeoutInSeconds: this.#options.answerTimeoutSeconds ?? 20,
          // The callee is the only phone participant of the call.
          targetParticipant: { kind: 'phoneNumber', phoneNumber: { value: await this.#callee(callConnectionId, signal) } },
          dtmfOptions: { maxTonesToCollect: 1 },
        },
        operationContext: challengeId,
      },
      signal,
    );
  }

  async #callee(callConnectionId: string, signal?: AbortSignal): Promise<string> {
    const call = await this.#call<{ targets?: { phoneNumber?: { value?: string } }[] }>(`/calling/callConnections/${encodeURIComponent(callConnectionId)}`, undefined, signal);
    const value = call?.targets?.[0]?.phoneNumber?.value;
    if (!value) throw new EntraError('protocol', 'ACS call without a phone target');
    return value;
  }

  async #hangUp(callConnectionId: string, signal?: AbortSignal): Promise<void> {
    await this.#call(`/calling/callConnections/${encodeURIComponent(callConnectionId)}:terminate`, {}, signal);
  }

  async #call<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T | undefined> {
    const { tokens } = this.#connection;
    const response = await tokens.transport.send({
      method: body === undefined ? 'GET' : 'POST',
      url: `${this.#endpoint}${path}?api-version=${CALL_AUTOMATION_API}`,
      headers: { authorization: `Bearer ${await tokens.acsToken()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    if (response.status === 401 || response.status === 403) {
      throw new EntraError('permission-missing', `ACS Call Automation refused the app ${tokens.options.clientId} (${response.status}): give it a role on the ACS resource that may place calls`);
    }
    if (response.status === 429 || response.status >= 500) throw new EntraError('unavailable', `ACS Call Automation unavailable (${response.status})`);
    if (response.status >= 300) throw new EntraError('protocol', `ACS Call Automation refused ${path.split('?')[0]} (${response.status})`);
    return response.text ? (JSON.parse(response.text) as T) : undefined;
  }
}
