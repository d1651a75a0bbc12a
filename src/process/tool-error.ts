// The error of a vendor tool that failed: a short message and a long one with its stderr.
import { ExitCode, UserError, type ExitCodeValue } from '../errors.js';

/** What is known about a finished tool run. */
export interface ToolFailure {
  tool: string;
  /** Arguments as they may be shown: no secrets ever reach argv, so all of them. */
  args: readonly string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/** A vendor tool (pg_dump, zstd, mariadb…) exited non-zero or was killed. */
export class ToolError extends UserError {
  readonly failure: ToolFailure;
  /** The short form: tool, arguments and how it ended, without stderr. */
  readonly shortMessage: string;

  constructor(failure: ToolFailure, { code, hint }: { code?: ExitCodeValue; hint?: string } = {}) {
    const ending =
      failure.signal !== null
        ? `was killed by ${failure.signal}`
        : `exited with ${failure.exitCode}`;
    const shortMessage = `${failure.tool} ${ending}`;
    const firstLine = lastErrorLine(failure.stderrTail);
    super(firstLine === '' ? shortMessage : `${shortMessage}: ${firstLine}`, {
      code: code ?? ExitCode.failure,
      hint: hint ?? (failure.signal === null ? undefined : killedHint(failure)),
      detail: failure.stderrTail.trim() === '' ? undefined : failure.stderrTail.trimEnd(),
    });
    this.name = 'ToolError';
    this.failure = failure;
    this.shortMessage = shortMessage;
  }
}

function killedHint({ tool, signal }: ToolFailure): string {
  return (
    `${tool} ended on ${signal ?? 'a signal'}. If nobody stopped it, look for the ` +
    'out-of-memory killer in the system log, then run again.'
  );
}

/** Picks the most telling line of a tool's stderr: the first error line, else the last line. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const error = lines.find((line) => /\b(error|fatal|failed)\b/i.test(line));
  return error ?? lines.at(-1) ?? '';
}
