// Vitest globalSetup: one `tsc -b` of every package before any test file runs. Tests run the
// sources through vitest's aliases, but several start the real `radius-mfa` bin (services/cli/dist)
// or a role process from dist/: they rely on this build being current, and none builds by itself.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The workspace does not compile: tsc's own report is the message, so the run stops with it. */
export class BuildFailedError extends Error {
  readonly code = 'BUILD_FAILED';
  constructor(readonly output: string) {
    super(`tsc -b failed, so no test ran:\n${output}`);
    this.name = 'BuildFailedError';
  }
}

/** Runs `tsc -b` (incremental: seconds when dist is current) with the Node that runs vitest. */
function buildWorkspace(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-b', '--pretty', 'false'],
      { cwd: root, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => (error ? reject(new BuildFailedError(`${stdout}${stderr}`.trim() || error.message)) : resolve()),
    );
  });
}

export default async function setup(): Promise<void> {
  await buildWorkspace();
}
