// One-time codes by text message or by a phone call that reads them out: issued (stored hashed),
// handed to the sender, then forgotten. The person types the code at the Access-Challenge.
import type { CodeChannel, CodeSender, OtpCodeOutcome, OtpCodeStore } from '@radius-mfa/mfa';

export interface PhoneCodeSettings {
  readonly channel: CodeChannel;
  readonly codes: OtpCodeStore;
  readonly sender: CodeSender;
  /** How long the code (and the State waiting for it) lives. */
  readonly ttlMs: number;
}

export type PhoneCodeStart = { readonly status: 'sent'; readonly codeId: string } | { readonly status: 'unreachable'; readonly error: Error };

export async function sendPhoneCode(settings: PhoneCodeSettings, user: string, phone: string, signal: AbortSignal): Promise<PhoneCodeStart> {
  const issued = await settings.codes.issueCode(user);
  try {
    await settings.sender.sendCode({ user, phone }, issued.code, settings.channel, signal);
  } catch (error) {
    return { status: 'unreachable', error: error instanceof Error ? error : new Error(String(error)) };
  }
  return { status: 'sent', codeId: issued.codeId };
}

/** `admission` (`admissionKey`): a retried job of this admission is accepted again, as with TOTP. */
export async function checkPhoneCode(settings: PhoneCodeSettings, codeId: string, user: string, code: string, admission: string): Promise<{ outcome: OtpCodeOutcome; attemptsLeft?: number }> {
  return settings.codes.verifyCode(codeId, user, code.trim(), admission);
}
