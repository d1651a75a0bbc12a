// Prints a failure: a user error as message and hint; anything else as a bug report.
import type { Writable } from 'node:stream';
import { isUserError } from '../errors.js';
import { redact, type Secret } from '../config/secret.js';

/** Version shown in bug reports. */
export const version = '0.1.0';

/** Options of {@link reportError}. */
export interface ReportOptions {
  stderr: Writable;
  error: unknown;
  argv: readonly string[];
  secrets: readonly (Secret | undefined)[];
  json: boolean;
  stdout: Writable;
}

/** Writes the error and returns the exit code it maps to. */
export function reportError({ stderr, stdout, error, argv, secrets, json }: ReportOptions): number {
  const clean = (text: string) => redact(text, secrets);
  if (isUserError(error)) {
    stderr.write(`error: ${clean(error.message)}\n`);
    if (error.detail !== undefined) {
      const tail = error.detail.split('\n').slice(-15);
      stderr.write(`${tail.map((line) => `  ${clean(line)}`).join('\n')}\n`);
    }
    if (error.hint !== undefined) stderr.write(`hint: ${clean(error.hint)}\n`);
    if (json) {
      const payload = {
        type: 'error',
        code: error.code,
        message: clean(error.message),
        hint: error.hint ?? null,
      };
      stdout.write(`${JSON.stringify(payload)}\n`);
    }
    return error.code;
  }

  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stderr.write(
    [
      `internal error: ${clean(stack)}`,
      '',
      'This is a bug in dbbackup. Please report it with this block:',
      `  version: ${version}, node ${process.version}, ${process.platform}`,
      `  command: dbbackup ${clean(argv.join(' '))}`,
      '',
    ].join('\n'),
  );
  return 1;
}
