import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests run against the TypeScript sources of the workspace packages, not their build output.
const alias = ['libs', 'services'].flatMap((kind) =>
  readdirSync(`${root}${kind}`)
    .filter((name) => existsSync(`${root}${kind}/${name}/src/index.ts`))
    .map((name) => ({
      find: name === 'cli' ? /^radius-mfa$/ : new RegExp(`^@radius-mfa/${name}$`),
      replacement: `${root}${kind}/${name}/src/index.ts`,
    })),
);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['libs/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'deploy/test/**/*.test.ts', 'test/**/*.test.ts'],
    // One `tsc -b` before any test: suites that run dist/ (the bin, role processes) rely on it.
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // expect.poll gives up after 1 s by default: too short for a metric or a Redis state to catch up
    // on a loaded 2-core CI box. A poll that passes returns as soon as it passes.
    expect: { poll: { timeout: 20_000 } },
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});
