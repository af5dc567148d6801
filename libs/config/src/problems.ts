/** One thing wrong (or risky) in a config: where, what, and how to fix it. Never holds a secret. */
export interface ConfigProblem {
  /** Where, e.g. `clients[1].secret`; `(file)` for the file as a whole. */
  path: string;
  message: string;
  fix: string;
}

/** The config was refused. `problems` lists every problem found, not only the first. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source?: string,
    /** Warnings found alongside (weak secrets, timeouts), so a report can show them too. */
    readonly warnings: readonly ConfigProblem[] = [],
  ) {
    super(formatConfigProblems(problems, `${source ?? 'config'}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`));
    this.name = 'ConfigError';
  }
}

export function formatConfigProblem(problem: ConfigProblem): string {
  return `${problem.path}: ${problem.message}\n    fix: ${problem.fix}`;
}

export function formatConfigProblems(problems: readonly ConfigProblem[], heading: string): string {
  return [heading, ...problems.map((p) => `  - ${formatConfigProblem(p)}`)].join('\n');
}

/** The path people read, from its keys and indexes: `['clients', 1, 'secret']` → `clients[1].secret`. */
export function formatPath(tokens: readonly (string | number)[]): string {
  return tokens.reduce<string>((path, token) => {
    if (typeof token === 'number' || /^\d+$/.test(token)) return `${path}[${token}]`;
    if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(token)) return path ? `${path}.${token}` : token;
    return `${path}[${JSON.stringify(token)}]`;
  }, '');
}

/** Turns a JSON pointer (`/clients/1/secret`) into the path people read (`clients[1].secret`). */
export function pointerToPath(pointer: string): string {
  return formatPath(pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')));
}
