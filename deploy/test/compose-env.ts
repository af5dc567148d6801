// .env.example as shipped (every secret empty) and as a user fills it in: each secret made by the
// command its comment names, fresh for each test run, so no test relies on a known secret.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './tools.js';

export const ENV_EXAMPLE = join(repoRoot, '.env.example');

/** Variables whose value is a secret: they must ship empty. */
export const SECRET_VARIABLE = /(TOKEN|KEY|SECRET|PASSWORD)$/;

/** The only generator commands .env.example may name, as `Generate: openssl rand -hex 32`. */
const GENERATE = /Generate: openssl rand -(hex|base64) (\d+)$/;

export interface EnvExampleEntry {
  name: string;
  value: string;
  /** The comment lines right above it, joined. */
  comment: string;
}

export function readEnvExample(): EnvExampleEntry[] {
  const entries: EnvExampleEntry[] = [];
  let comment: string[] = [];
  for (const line of readFileSync(ENV_EXAMPLE, 'utf8').split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line);
    if (match) {
      entries.push({ name: match[1]!, value: match[2]!, comment: comment.join(' ') });
      comment = [];
    } else comment = line.startsWith('#') ? [...comment, line.replace(/^#\s?/, '')] : [];
  }
  return entries;
}

/** What `openssl rand -ENCODING BYTES` prints, for the command the comment names. */
export function generatedValue(entry: EnvExampleEntry): string {
  const command = GENERATE.exec(entry.comment);
  if (!command) throw new Error(`${entry.name} in .env.example names no \`Generate: openssl rand -hex|-base64 N\` command`);
  return randomBytes(Number(command[2])).toString(command[1] as 'hex' | 'base64');
}

let filled: Record<string, string> | undefined;

/** .env.example with every empty secret generated; the same values for the whole test file (roles share a sealing key). */
export function envExampleFilled(): Record<string, string> {
  filled ??= Object.fromEntries(readEnvExample().map((entry) => [entry.name, SECRET_VARIABLE.test(entry.name) && entry.value === '' ? generatedValue(entry) : entry.value]));
  return { ...filled };
}

export function writeEnvFile(path: string, env: Record<string, string>): string {
  writeFileSync(path, Object.entries(env).map(([name, value]) => `${name}=${value}\n`).join(''));
  return path;
}
