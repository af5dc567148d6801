export interface UserNameRules {
  /** `CONTOSO\alice` → `alice` (the NetBIOS domain prefix Windows clients send). */
  stripDomain: boolean;
  /** `alice@contoso.com` → `alice` (the realm of an RFC 7542 NAI or a UPN). */
  stripRealm: boolean;
  lowercase: boolean;
}

/**
 * The one form of a user name used for every lookup (directory, enrolment, rate limits),
 * so that `CONTOSO\Alice` and `alice` cannot become two users with two sets of factors.
 * NFC first, so composed and decomposed spellings of the same name agree.
 */
export function normalizeUserName(raw: string, rules: UserNameRules): string {
  let name = raw.normalize('NFC').trim();
  if (rules.stripDomain) {
    // A NetBIOS domain never contains a backslash, so the first one ends it.
    const backslash = name.indexOf('\\');
    if (backslash >= 0) name = name.slice(backslash + 1);
  }
  if (rules.stripRealm) {
    // RFC 7542 §2.2: the realm follows the last "@".
    const at = name.lastIndexOf('@');
    if (at >= 0) name = name.slice(0, at);
  }
  if (rules.lowercase) name = name.toLowerCase();
  return name;
}
