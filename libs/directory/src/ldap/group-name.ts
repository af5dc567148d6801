/**
 * The name policy rules use for a group: the value of the first RDN of its DN
 * (`cn=VPN Users,ou=groups,dc=example,dc=org` → `VPN Users`). A value that is not a DN
 * (a directory whose group attribute holds plain names) is kept as it is.
 * Escapes are those of RFC 4514 §2.4: `\,` and `\2c` alike.
 */
export function groupNameFromDn(value: string): string {
  const equals = value.indexOf('=');
  if (equals <= 0) return value;
  let name = '';
  for (let i = equals + 1; i < value.length; i++) {
    const char = value[i]!;
    if (char === ',' || char === '+') break;
    if (char === '\\' && i + 1 < value.length) {
      const hex = value.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        // Consecutive hex escapes form one UTF-8 sequence; collect the bytes.
        const bytes: number[] = [];
        while (value[i] === '\\' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
          bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
          i += 3;
        }
        name += Buffer.from(bytes).toString('utf8');
        i -= 1;
      } else {
        name += value[i + 1];
        i += 1;
      }
      continue;
    }
    name += char;
  }
  return name.trim();
}
