// The project pins its own Node (the `node` devDependency npm scripts run on), whatever the
// machine's PATH has: the tests, like `npm start`, must run on the major `engines` names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('pinned Node', () => {
  it('runs the suite on the Node major of engines and of the node devDependency', () => {
    const major = /^>=(\d+) <(\d+)$/.exec(manifest.engines.node);
    expect(major, `engines.node "${manifest.engines.node}" is not of the form ">=N <N+1"`).not.toBeNull();
    expect(manifest.devDependencies['node']).toMatch(new RegExp(`^\\^${major![1]}\\.`));
    expect(process.versions.node.split('.')[0]).toBe(major![1]);
  });
});
