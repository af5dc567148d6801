// Every text a person reads in a Reply-Message, in one place. Kept short: many NAS show one
// line, and pam_radius prints it as the prompt (it needs a Reply-Message on every challenge).
import type { SecondFactorMethod } from '@radius-mfa/config';

export const Prompts = {
  enterCode: 'Enter your code',
  wrongCode: 'That code was not accepted. Enter your code',
  /** NN stands alone, two digits, so a person (and a test) finds it at a glance. */
  approvePush: (numberToMatch: number | undefined): string =>
    numberToMatch === undefined
      ? 'Approve the sign-in on your phone, then press Enter'
      : `Approve the sign-in on your phone, enter ${String(numberToMatch).padStart(2, '0')} there, then press Enter`,
  stillWaiting: (numberToMatch: number | undefined): string =>
    numberToMatch === undefined
      ? 'Still waiting for your approval… Approve on your phone, then press Enter'
      : `Still waiting for your approval… Enter ${String(numberToMatch).padStart(2, '0')} on your phone, then press Enter`,
  enterSmsCode: 'Enter the code we sent to your phone',
  enterVoiceCode: 'Answer the call and enter the code you hear',
  answerCall: 'Answer the call, press # to approve, then press Enter',
  stillWaitingCall: 'Still waiting for the call to be approved… Press # on the call, then press Enter',
  callNotApproved: 'The sign-in was not approved on the call',
  menu: (methods: readonly SecondFactorMethod[]): string =>
    `Choose how to sign in: ${methods.map((method, index) => `${index + 1} ${METHOD_LABELS[method]}`).join(', ')}`,
  menuInvalid: (methods: readonly SecondFactorMethod[]): string => `Not a choice. ${Prompts.menu(methods)}`,
  appendHint: 'Add your code to the password, e.g. password,123456 (or password,push)',

  rejected: 'Access denied',
  pushDenied: 'The sign-in was denied on your phone',
  pushExpired: 'The sign-in was not approved in time',
  pushNotApproved: 'The sign-in was not approved',
  locked: 'Your second factor is locked. Contact your help desk',
  codeLocked: 'Too many wrong codes. Try again later',
  codeReplayed: 'That code was already used. Wait for the next one',
  notEnrolled: 'You are not enrolled for multi-factor sign-in. Contact your help desk',
  enroll: (url: string): string => `Enroll a second factor first: ${url}`,
  enrollGrace: (url: string, days: number): string =>
    `Enroll a second factor within ${days} day${days === 1 ? '' : 's'}: ${url}`,
  pushLimited: (why: string): string => `Too many sign-in requests (${why}). Try again later`,
  notInGroup: 'You are not allowed to sign in here',
  unavailable: 'The second factor service is unavailable. Try again later',
  /** A provider refused this person's request (no topic, an unknown or invalid number): retrying will not help. */
  providerRefused: 'Your second factor cannot be reached. Contact your help desk',
  noUsableMethod: 'Your second factor cannot be used here. Contact your help desk',
  sessionExpired: 'The sign-in took too long. Start again',
  autoNeedsPush: 'This sign-in needs a push approval; enroll a phone first',
} as const;

const METHOD_LABELS: Readonly<Record<SecondFactorMethod, string>> = {
  totp: 'code from your app',
  push: 'push to your phone',
  sms: 'text message',
  voice: 'phone call',
};

/** What a person may type at the menu for each method: its number, or its name. */
export function parseMenuChoice(answer: string, methods: readonly SecondFactorMethod[]): SecondFactorMethod | undefined {
  const text = answer.trim().toLowerCase();
  if (/^\d{1,2}$/.test(text)) return methods[Number(text) - 1];
  const byName: Record<string, SecondFactorMethod> = { totp: 'totp', code: 'totp', push: 'push', sms: 'sms', text: 'sms', voice: 'voice', call: 'voice' };
  const method = byName[text];
  return method !== undefined && methods.includes(method) ? method : undefined;
}
