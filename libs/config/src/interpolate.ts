// `${NAME}` and `${NAME:-default}` in YAML values, from the environment. Applied to the parsed
// values, not the text, so a secret holding `#`, `:` or quotes cannot change the YAML structure.
import { formatPath, type ConfigProblem } from './problems.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}?/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Marks a value whose variable was unset: the key is then treated as missing. */
const UNSET = Symbol('unset');

function expandString(text: string, env: NodeJS.ProcessEnv, path: readonly (string | number)[], problems: ConfigProblem[]): string | typeof UNSET {
  let unset = false;
  const expanded = text.replace(REFERENCE, (match, inner: string | undefined) => {
    if (match === '$${') return '${'; // `$${` writes a literal `${`
    const where = formatPath(path);
    if (!match.endsWith('}') || inner === undefined) {
      problems.push({ path: where, message: 'has a `${` with no closing `}`', fix: 'write ${NAME} or ${NAME:-default}; write $${ for a literal ${' });
      unset = true;
      return '';
    }
    const separator = inner.indexOf(':-');
    const name = separator === -1 ? inner : inner.slice(0, separator);
    if (!NAME.test(name)) {
      problems.push({ path: where, message: `refers to \${${name}}, which is not a variable name`, fix: 'use letters, digits and _ (not starting with a digit): ${NAME} or ${NAME:-default}' });
      unset = true;
      return '';
    }
    const value = env[name];
    // As in the shell, `:-` also replaces an empty value.
    if (value !== undefined && (separator === -1 || value !== '')) return value;
    if (separator !== -1) return inner.slice(separator + 2);
    problems.push({
      path: where,
      message: `refers to \${${name}}, which is not set in the environment`,
      fix: `set ${name} in the environment, or give a default: \${${name}:-VALUE}`,
    });
    unset = true;
    return '';
  });
  return unset ? UNSET : expanded;
}

/**
 * Expands references in every string value of a parsed YAML tree. Keys are left as written.
 * A value with an unset reference is removed (and a problem recorded), so it is not validated twice.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, problems: ConfigProblem[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    const expanded = expandString(value, env, path, problems);
    return expanded === UNSET ? undefined : expanded;
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, problems, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const expanded = interpolateEnv(item, env, problems, [...path, key]);
      if (expanded !== undefined) out[key] = expanded;
    }
    return out;
  }
  return value;
}
