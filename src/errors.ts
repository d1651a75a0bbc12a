// Error classes and the one exit-code table of the tool (mirrored in README.md).

/** Exit codes: the BSD sysexits set, plus 130 for an interrupted run. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 64,
  data: 65,
  noInput: 66,
  unavailable: 69,
  io: 74,
  tempFail: 75,
  noPermission: 77,
  config: 78,
  interrupted: 130,
} as const;

/** One of the numbers in {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Options shared by every user-facing error. */
export interface UserErrorOptions {
  code: ExitCodeValue;
  hint?: string;
  /** Longer text shown under the message, such as the tail of a tool's stderr. */
  detail?: string;
  cause?: unknown;
}

/**
 * An error the user can act on: bad input, auth failure, missing database, corrupt backup.
 * It prints as one line plus an optional hint, never with a stack trace.
 */
export class UserError extends Error {
  readonly code: ExitCodeValue;
  readonly hint: string | undefined;
  readonly detail: string | undefined;

  constructor(message: string, { code, hint, detail, cause }: UserErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'UserError';
    this.code = code;
    this.hint = hint;
    this.detail = detail;
  }
}

/** Tells whether a value is a {@link UserError}. */
export function isUserError(value: unknown): value is UserError {
  return value instanceof UserError;
}

/** Wraps an error with context; a UserError keeps its code and hint, anything else stays a bug. */
export function wrapError(context: string, error: unknown): Error {
  if (isUserError(error)) {
    return new UserError(`${context}: ${error.message}`, {
      code: error.code,
      hint: error.hint,
      detail: error.detail,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${context}: ${message}`, { cause: error });
}

/** Maps a Node.js system error (from fs) to a user error with the right exit code. */
export function fileError(action: string, path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${action} '${path}'`;
  switch (code) {
    case 'ENOENT':
      return new UserError(`unable to ${where}: no such file or directory`, {
        code: ExitCode.noInput,
        hint: 'Check the path; `dbbackup list backups` shows the backups that exist.',
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new UserError(`unable to ${where}: permission denied`, {
        code: ExitCode.noPermission,
        hint: 'Run as a user that may write there, or choose another directory.',
        cause: error,
      });
    case 'EROFS':
      return new UserError(`unable to ${where}: read-only file system`, {
        code: ExitCode.noPermission,
        hint: 'Choose a backup directory on a writable file system.',
        cause: error,
      });
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new UserError(`unable to ${where}: no space left on device`, {
        code: ExitCode.io,
        hint: 'Free space in the backup directory (or remove old backups) and run again.',
        cause: error,
      });
    case 'ENOTDIR':
    case 'ELOOP':
      return new UserError(`unable to ${where}: not a directory`, {
        code: ExitCode.io,
        hint: 'A part of the path is a file (or a link to one), not a directory; choose another path.',
        cause: error,
      });
    case 'EIO':
      return new UserError(`unable to ${where}: input/output error`, {
        code: ExitCode.io,
        hint: 'Check the disk and the system log.',
        cause: error,
      });
    default:
      return wrapError(`unable to ${where}`, error);
  }
}
