// Parses a config file's JSON without ever repeating its text: it may hold a password, and
// JSON.parse's own message quotes the bytes around the error.
import { ExitCode, UserError } from '../errors.js';

/** Parses `text` as one JSON object; errors name only the line and column. */
export function parseConfigObject(text: string, path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    // Editors on some systems start UTF-8 files with a byte-order mark; JSON has none.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UserError(`config file '${path}' is not valid JSON${whereIn(text, error)}`, {
      code: ExitCode.config,
      hint: 'The config file is one JSON object, for example {"host": "db1", "port": 5432}; names and strings take double quotes.',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`config file '${path}' must hold one JSON object`, {
      code: ExitCode.config,
      hint: 'For example {"host": "db1", "backup-dir": "/var/backups/db"}.',
    });
  }
  return parsed as Record<string, unknown>;
}

/** ` (line L, column C)` when the parser said where it stopped; nothing of the text itself. */
function whereIn(text: string, error: unknown): string {
  const position = /\bposition (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position)).split('\n');
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}
