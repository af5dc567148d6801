// One-time codes by text message or by a phone call that reads them out: issued (stored hashed),
// handed to the sender, then forgotten. The person types the code at the Access-Challenge.
// One code per transaction, as one push: a retried job finds the code its first attempt sent.
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

export interface PhoneCodeRequest {
  /** The job's transaction: its code is issued and sent once, whatever retries or duplicate jobs run. */
  readonly txn: string;
  readonly user: string;
  readonly phone: string;
  readonly signal: AbortSignal;
}

export type PhoneCodeStart =
  /** Sent now, or by another attempt of this transaction (nothing sent now; counted once: flow.ts). */
  | { readonly status: 'sent'; readonly codeId: string }
  | { readonly status: 'refused'; readonly decision: Exclude<PushDecision, 'allowed'>; readonly retryAfterMs?: number }
  /** The sender failed: an outage goes to the client's failMode, a refusal rejects. The code is withdrawn, so a retried job sends anew. */
  | { readonly status: 'undelivered'; readonly failure: ProviderFailure };

export async function sendPhoneCode(settings: PhoneCodeSettings, send: PhoneCodeRequest): Promise<PhoneCodeStart> {
  const { codes } = settings;
  // A retried job finds the code of its first attempt: no second text, no limit spent. An attempt
  // that died mid-send counts as sent (at most one text per login, as with push).
  const earlier = await codes.codeIdForTxn(send.txn);
  if (earlier !== undefined) return { status: 'sent', codeId: earlier };

  const limit = await settings.limiter.checkPushAllowed(send.user);
  if (limit.decision !== 'allowed') {
    return { status: 'refused', decision: limit.decision, ...(limit.retryAfterMs !== undefined && { retryAfterMs: limit.retryAfterMs }) };
  }
  const issued = await codes.issueCode(send.user, send.txn);
  // Another job of this transaction issued its code a moment ago, and sends it.
  if (!issued.issued) return { status: 'sent', codeId: issued.codeId };
  try {
    await settings.sender.sendCode({ user: send.user, phone: send.phone }, issued.code, settings.channel, send.signal);
  } catch (error) {
    // Nobody received this code: it goes, so it can never be used, and a retried job sends a new one.
    await codes.withdrawCode(issued.codeId, send.txn).catch(() => undefined);
    return { status: 'undelivered', failure: providerFailure(error) };
  }
  return { status: 'sent', codeId: issued.codeId };
}

/** `admission` (`admissionKey`): a retried job of this admission is accepted again, as with TOTP. */
export async function checkPhoneCode(settings: PhoneCodeSettings, codeId: string, user: string, code: string, admission: string): Promise<OtpCodeVerdict> {
  return settings.codes.verifyCode(codeId, user, code.trim(), admission);
}
