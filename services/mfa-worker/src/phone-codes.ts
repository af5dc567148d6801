// One-time codes by text message or by a phone call that reads them out: issued (stored hashed),
// handed to the sender, then forgotten. The person types the code at the Access-Challenge.
import { providerFailure, type CodeChannel, type CodeSender, type OtpCodeStore, type OtpCodeVerdict, type ProviderFailure, type PushDecision, type PushLimiter } from '@radius-mfa/mfa';

export interface PhoneCodeSettings {
  readonly channel: CodeChannel;
  readonly codes: OtpCodeStore;
  readonly sender: CodeSender;
  /**
   * The per-user budget of out-of-band requests shared with push and approval calls
   * (`mfa.push.limits`): every text or call costs money and rings a phone, so it is as limited.
   */
  readonly limiter: PushLimiter;
  /** How long the code (and the State waiting for it) lives. */
  readonly ttlMs: number;
}

export type PhoneCodeStart =
  | { readonly status: 'sent'; readonly codeId: string }
  | { readonly status: 'refused'; readonly decision: Exclude<PushDecision, 'allowed'>; readonly retryAfterMs?: number }
  /** The sender failed: an outage goes to the client's failMode, a refusal rejects. */
  | { readonly status: 'undelivered'; readonly failure: ProviderFailure };

export async function sendPhoneCode(settings: PhoneCodeSettings, user: string, phone: string, signal: AbortSignal): Promise<PhoneCodeStart> {
  const limit = await settings.limiter.checkPushAllowed(user);
  if (limit.decision !== 'allowed') {
    return { status: 'refused', decision: limit.decision, ...(limit.retryAfterMs !== undefined && { retryAfterMs: limit.retryAfterMs }) };
  }
  const issued = await settings.codes.issueCode(user);
  try {
    await settings.sender.sendCode({ user, phone }, issued.code, settings.channel, signal);
  } catch (error) {
    return { status: 'undelivered', failure: providerFailure(error) };
  }
  return { status: 'sent', codeId: issued.codeId };
}

/** `admission` (`admissionKey`): a retried job of this admission is accepted again, as with TOTP. */
export async function checkPhoneCode(settings: PhoneCodeSettings, codeId: string, user: string, code: string, admission: string): Promise<OtpCodeVerdict> {
  return settings.codes.verifyCode(codeId, user, code.trim(), admission);
}
