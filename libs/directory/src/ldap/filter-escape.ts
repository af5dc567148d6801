import { DirectoryError } from '../errors.js';

/**
 * Escapes a value for an LDAP search filter (RFC 4515 §3): `*`, `(`, `)`, `\` and NUL
 * become `\2a`, `\28`, `\29`, `\5c`, `\00`, so a user name can never close the
 * assertion or add one of its own (`*)(uid=*` matches only that literal name).
 */
export function escapeLdapFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const USER_PLACEHOLDER = '{user}';

/** Checks a `userSearch.filter` template once, at start-up. */
export function assertUserFilterTemplate(template: string): void {
  if (!template.includes(USER_PLACEHOLDER)) {
    throw new DirectoryError('config', `directories.ldap.userSearch.filter must contain ${USER_PLACEHOLDER}, e.g. "(uid={user})"`);
  }
  if (!template.startsWith('(') || !template.endsWith(')')) {
    throw new DirectoryError('config', 'directories.ldap.userSearch.filter must be one parenthesised filter, e.g. "(uid={user})"');
  }
}

/** `(uid={user})` with every `{user}` replaced by the escaped name. */
export function buildUserFilter(template: string, user: string): string {
  return template.split(USER_PLACEHOLDER).join(escapeLdapFilterValue(user));
}
