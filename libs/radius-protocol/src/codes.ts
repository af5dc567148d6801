/** RADIUS packet codes (RFC 2865 §3, RFC 2866 §3, RFC 5997 §2, RFC 5176 §2). */
export const Code = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  StatusClient: 13,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoARequest: 43,
  CoAAck: 44,
  CoANak: 45,
} as const;

export type CodeValue = (typeof Code)[keyof typeof Code];

const known = new Uint8Array(256);
for (const value of Object.values(Code)) known[value] = 1;

export function isKnownCode(code: number): boolean {
  return known[code] === 1;
}

/** Access-Accept, -Reject and -Challenge: the replies that must lead with Message-Authenticator (RFC 3579 §3.2, BlastRADIUS). */
export function isAccessResponse(code: number): boolean {
  return code === Code.AccessAccept || code === Code.AccessReject || code === Code.AccessChallenge;
}

/** Codes whose Request Authenticator is an MD5 over the packet, not a nonce (RFC 2866 §3, RFC 5176 §2.3). */
export function hasComputedRequestAuthenticator(code: number): boolean {
  return code === Code.AccountingRequest || code === Code.CoARequest || code === Code.DisconnectRequest;
}

export function isResponseCode(code: number): boolean {
  return (
    isAccessResponse(code) ||
    code === Code.AccountingResponse ||
    code === Code.DisconnectAck ||
    code === Code.DisconnectNak ||
    code === Code.CoAAck ||
    code === Code.CoANak
  );
}
