import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema, type Config } from './schema.js';
import { ConfigError, formatPath, type ConfigProblem } from './problems.js';
import { interpolateEnv } from './interpolate.js';
import { schemaProblems } from './schema-problems.js';
import { crossFieldProblems } from './cross-checks.js';
import { visitAnnotated } from './annotated.js';

export interface ParseConfigOptions {
  /** Variables for `${NAME}`; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Name of the file in messages. */
  source?: string;
  /** Relative file paths in the config (certificates, keys) are resolved against it; the cwd by default. */
  baseDir?: string;
}

export interface ParsedConfig {
  config: Config;
  warnings: ConfigProblem[];
}

const FILE = '(file)';

/** A secret given as a YAML number or boolean would be silently rewritten (`0123` → 123): refuse it. */
function refuseNonTextSecrets(value: unknown, problems: ConfigProblem[]): void {
  visitAnnotated(ConfigSchema, value, 'x-secret', (secret, path, replace) => {
    if (secret === undefined || typeof secret === 'string') return;
    problems.push({ path: formatPath(path), message: 'must be text, and YAML read it as a number or boolean', fix: 'put the value in quotes so it is kept exactly as written' });
    replace(undefined);
  });
}

function resolveFilePaths(config: Config, baseDir: string): void {
  visitAnnotated(ConfigSchema, config, 'x-file', (path, _where, replace) => {
    if (typeof path === 'string' && !isAbsolute(path)) replace(resolve(baseDir, path));
  });
}

/** Parses, interpolates, defaults and validates a config. Throws ConfigError listing every problem. */
export function parseConfig(text: string, options: ParseConfigOptions = {}): ParsedConfig {
  const env = options.env ?? process.env;
  const source = options.source ?? 'config';
  const errors: ConfigProblem[] = [];

  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  for (const error of document.errors) {
    const at = error.linePos?.[0];
    errors.push({
      path: at ? `${FILE} line ${at.line}, column ${at.col}` : FILE,
      // Only the first line: the rest is a snippet of the file, which may hold a secret.
      message: `is not valid YAML: ${error.message.split('\n')[0]}`,
      fix: 'fix the YAML syntax at that position (indentation, quotes, a missing colon)',
    });
  }
  if (errors.length > 0) throw new ConfigError(errors, source);

  const raw: unknown = document.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: FILE, message: raw == null ? 'is empty' : 'is not a map of keys', fix: 'start from the example in the README: redis, security, clients, ...' }], source);
  }

  const interpolated = interpolateEnv(raw, env, errors);
  refuseNonTextSecrets(interpolated, errors);
  const candidate = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, interpolated)) as Config;
  const fromSchema = schemaProblems(ConfigSchema, candidate);
  // A key already reported (unset variable, unquoted secret) is missing now: say it once.
  const reported = new Set(errors.map((p) => p.path));
  errors.push(...fromSchema.filter((p) => !reported.has(p.path)));
  const crossField = crossFieldProblems(candidate, fromSchema.length === 0);
  errors.push(...crossField.errors);

  if (errors.length > 0) throw new ConfigError(errors, source, crossField.warnings);

  candidate.api.publicUrl ??= candidate.api.listen.replace(/\/$/, '');
  resolveFilePaths(candidate, options.baseDir ?? process.cwd());
  return { config: candidate, warnings: crossField.warnings };
}

/** Reads and parses a config file; relative paths inside it are resolved against its directory. */
export function loadConfig(path: string, options: { env?: NodeJS.ProcessEnv } = {}): ParsedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path: FILE, message: `cannot be read (${code})`, fix: `check the path ${path} and its permissions` }], path);
  }
  return parseConfig(text, { ...options, source: path, baseDir: dirname(resolve(path)) });
}
