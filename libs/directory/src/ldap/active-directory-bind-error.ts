/**
 * Active Directory explains a failed bind (resultCode 49) in its diagnostic message,
 * `... data 532, ...`: the sub-code tells an operator why a right password still failed.
 * Codes from Microsoft's documentation of LDAP error 49 (ERROR_* in winerror.h).
 */
const AD_SUB_CODES: Readonly<Record<string, string>> = {
  '525': 'user not found',
  '52e': 'wrong password',
  '530': 'logon not permitted at this time',
  '531': 'logon not permitted from this workstation',
  '532': 'password expired',
  '533': 'account disabled',
  '568': 'too many security ids (token too large)',
  '701': 'account expired',
  '773': 'password must be changed',
  '775': 'account locked out',
};

/** The reason for a rejected user bind: AD's sub-code when the message carries one, else "wrong password". */
export function userBindFailureReason(diagnosticMessage: string): string {
  const match = /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnosticMessage);
  const reason = match ? AD_SUB_CODES[match[1]!.toLowerCase()] : undefined;
  return reason ?? 'wrong password';
}
