// Shared by the config suites: the problems a refused config lists, and the one at a path.
import { expect } from 'vitest';
import { ConfigError, parseConfig, type ConfigProblem } from '@radius-mfa/config';

export function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): readonly ConfigProblem[] {
  try {
    parseConfig(text, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

export function problemAt(problems: readonly ConfigProblem[], path: string): ConfigProblem {
  const found = problems.find((p) => p.path === path);
  expect(found, `a problem at ${path} in ${JSON.stringify(problems)}`).toBeDefined();
  return found!;
}
