// Matches database names against --exclude patterns: exact names or shell-style globs.

/** Turns a glob (`*`, `?`, `[abc]`, `[!abc]`) into an anchored, case-sensitive RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i] ?? '';
    if (char === '*') out += '.*';
    else if (char === '?') out += '.';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else out += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'su');
}

/** Whether a name matches any pattern; an empty list matches nothing. */
export function isExcluded(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => pattern === name || globToRegExp(pattern).test(name));
}
