// Runs the real validation tools (helm, promtool, docker-compose) for the deploy tests.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A tool the deploy tests need is not installed: the message says how to install it. */
export class MissingToolError extends Error {
  readonly code = 'MISSING_TOOL';
  constructor(
    readonly tool: string,
    howToInstall: string,
  ) {
    super(`${tool} is missing: ${howToInstall}`);
    this.name = 'MissingToolError';
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Path of a tool installed into .tools/ by .ci/install-NAME.sh. Throws instead of skipping:
 * a deploy test that silently skips would let a broken chart or rule file through CI.
 */
export function requireTool(name: 'helm' | 'promtool'): string {
  const path = `${repoRoot}.tools/${name}`;
  if (!isExecutable(path)) throw new MissingToolError(path, `run \`bash .ci/install-${name}.sh\` from the repository root`);
  return path;
}

/** docker-compose comes from Debian (listed in .ci/apt-packages). */
export function requireDockerCompose(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && isExecutable(`${dir}/docker-compose`)) return `${dir}/docker-compose`;
  }
  throw new MissingToolError('docker-compose', 'run `apt-get install -y docker-compose` (it is listed in .ci/apt-packages)');
}

/** Runs a program to completion; a non-zero exit is a result, not a throw. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
