// .dockerignore semantics (Docker's fileutils.PatternMatcher), enough to ask "does this path
// reach the build context?": `*` and `?` stay inside one path segment, `**` spans any number
// of segments, a pattern that matches a directory excludes everything below it, `!` re-includes,
// and the last matching pattern wins.

interface Pattern {
  regex: RegExp;
  include: boolean;
}

function globToRegex(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` matches anything.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A match on a directory covers everything inside it.
  return new RegExp(`^${source}(?:/.*)?$`);
}

export function parseDockerignore(text: string): Pattern[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const glob = (include ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
      return { regex: globToRegex(glob), include };
    });
}

/** True when `path` (relative to the context root, `/`-separated) is sent to the Docker daemon. */
export function isInBuildContext(patterns: readonly Pattern[], path: string): boolean {
  let excluded = false;
  for (const pattern of patterns) {
    if (pattern.regex.test(path)) excluded = !pattern.include;
  }
  return !excluded;
}
