import { randomUUID } from 'node:crypto';
import type { EntraConnection } from './connection.js';
import { EntraError } from './errors.js';
import { trimEndpoint } from './options.js';

/** The libs/mfa sender shape, kept structural so neither package imports the other. */
export interface CodeSender {
  sendCode(to: { user: string; phone?: string }, code: string, channel: 'sms' | 'voice', signal?: AbortSignal): Promise<void>;
}

interface AcsSmsResult {
  value?: { to: string; successful: boolean; httpStatusCode: number; errorMessage?: string | null }[];
}

/** Graph stores "+1 2065550100"; ACS wants E.164 without spaces. */
export function toE164(phone: string): string | undefined {
  const compact = phone.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : undefined;
}

/**
 * SMS codes through Azure Communication Services (`POST {endpoint}/sms?api-version=2021-03-07`)
 * with an Entra token for the ACS resource, so no ACS access key is stored. The phone is the
 * one given, else the user's Entra mobile number. Voice goes through AcsVoiceApprover
 * (press # to approve), not as a spoken code.
 */
export class AcsSmsSender implements CodeSender {
  readonly #connection: EntraConnection;
  readonly #endpoint: string;
  readonly #from: string;
  readonly #template: (code: string) => string;

  /** `from`: the ACS sender number (`mfa.sms.sender.from`); default the connection's `smsFrom`. */
  constructor(connection: EntraConnection, options: { from?: string; message?: (code: string) => string } = {}) {
    const { acsEndpoint } = connection.options;
    const from = options.from ?? connection.options.smsFrom;
    if (!acsEndpoint || !from) throw new EntraError('config', 'SMS through ACS needs directories.entra.acsEndpoint and a sender number (mfa.sms.sender.from)');
    this.#connection = connection;
    this.#endpoint = trimEndpoint(acsEndpoint);
    this.#from = from;
    this.#template = options.message ?? ((code) => `Your sign-in code is ${code}`);
  }

  async sendCode(to: { user: string; phone?: string }, code: string, channel: 'sms' | 'voice', signal?: AbortSignal): Promise<void> {
    if (channel !== 'sms') throw new EntraError('config', 'ACS speaks no codes: voice is an approval call (AcsVoiceApprover, press # to approve)');
    const phone = to.phone ?? (await this.#connection.directory.resolveUser(to.user, signal))?.phones.mobile;
    const recipient = phone === undefined ? undefined : toE164(phone);
    if (!recipient) throw new EntraError('config', `no usable mobile number for ${to.user}`);
    const { tokens } = this.#connection;
    const response = await tokens.transport.send({
      method: 'POST',
      url: `${this.#endpoint}/sms?api-version=2021-03-07`,
      headers: {
        authorization: `Bearer ${await tokens.acsToken()}`,
        'content-type': 'application/json',
        // ACS drops a resend with the same id, so a retried request cannot text twice.
        'repeatability-request-id': randomUUID(),
        'repeatability-first-sent': new Date().toUTCString(),
      },
      body: JSON.stringify({ from: this.#from, smsRecipients: [{ to: recipient }], message: this.#template(code), smsSendOptions: { enableDeliveryReport: false } }),
      ...(signal ? { signal } : {}),
    });
    if (response.status === 401 || response.status === 403) {
      throw new EntraError('permission-missing', `ACS refused the app ${tokens.options.clientId} (${response.status}): give it the "Communication and Email Service Owner" or a custom role with SMS send on the ACS resource`);
    }
    if (response.status >= 500 || response.status === 429) throw new EntraError('unavailable', `ACS SMS unavailable (${response.status})`);
    if (response.status !== 202) throw new EntraError('protocol', `ACS SMS refused the request (${response.status})`);
    const result = JSON.parse(response.text) as AcsSmsResult;
    const first = result.value?.[0];
    if (!first?.successful) throw new EntraError('protocol', `ACS did not accept the SMS: ${first?.errorMessage ?? 'no result'}`);
  }
}
