// Turns MySQL/MariaDB failures (driver errors and tool stderr) into user errors with exit codes.
import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { ToolError, type ToolFailure } from '../../process/tool-error.js';

const hints = {
  auth: 'Check the user and the password (MYSQL_PWD, ~/.my.cnf, DBBACKUP_URL or the config file).',
  privilege: 'Run as an account with the needed privileges (root sees everything).',
  missingDb: 'Check the name with `dbbackup list databases`; names are case-sensitive.',
  network: 'Check that the server is running and that --host, --port or --socket are right.',
  definer:
    'Create the DEFINER account on the target first, or restore with --definers rewrite ' +
    'to give the objects to the restoring user.',
  busy: 'The server is busy (connections, locks); retry later.',
  tls:
    'Check the TLS options of the [client] group of ~/.my.cnf (ssl-mode, or ssl, ssl-ca, ' +
    'ssl-verify-server-cert): the dump and client tools read the same ones.',
  insecure:
    'The server accepts only TLS on TCP: add ssl-ca=/path/to/ca.pem (and ' +
    'ssl-verify-server-cert) to the [client] group of ~/.my.cnf, or connect through its socket.',
  dropped:
    'The server closed the session while it was in use (a restart, KILL, or a timeout such ' +
    'as net_write_timeout); check the server log and run again.',
};

interface Known {
  code: ExitCodeValue;
  hint: string;
}

// Server and client error numbers (the same in MySQL and MariaDB).
const byErrno: Record<number, Known> = {
  1044: { code: ExitCode.noPermission, hint: hints.privilege },
  1045: { code: ExitCode.noPermission, hint: hints.auth },
  1698: { code: ExitCode.noPermission, hint: hints.auth },
  1049: { code: ExitCode.noInput, hint: hints.missingDb },
  1142: { code: ExitCode.noPermission, hint: hints.privilege },
  1143: { code: ExitCode.noPermission, hint: hints.privilege },
  1227: { code: ExitCode.noPermission, hint: hints.privilege },
  1370: { code: ExitCode.noPermission, hint: hints.privilege },
  1449: { code: ExitCode.noInput, hint: hints.definer },
  1040: { code: ExitCode.tempFail, hint: hints.busy },
  1205: { code: ExitCode.tempFail, hint: hints.busy },
  1213: { code: ExitCode.tempFail, hint: hints.busy },
  2002: { code: ExitCode.unavailable, hint: hints.network },
  2003: { code: ExitCode.unavailable, hint: hints.network },
  2005: { code: ExitCode.unavailable, hint: hints.network },
  2006: { code: ExitCode.unavailable, hint: hints.network },
  2013: { code: ExitCode.unavailable, hint: hints.dropped },
  // The client's TLS failed (TLS required of a server without it, a certificate refused).
  2026: { code: ExitCode.config, hint: hints.tls },
  // Insecure transport refused (require_secure_transport): MySQL's number, then MariaDB's.
  3159: { code: ExitCode.noPermission, hint: hints.insecure },
  4036: { code: ExitCode.noPermission, hint: hints.insecure },
};

// The TLS options and the server disagree: no TLS offered, or a certificate not trusted.
const tlsProblem =
  /HANDSHAKE_NO_SSL_SUPPORT|does not support secure|certificate|self[- ]signed|unable to verify|ERR_TLS|ERR_SSL/i;

const networkCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'ENOENT',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
]);

const diskFull = /no space left on device|errcode: 28|error on write|file too large/i;

/**
 * The first MySQL error number in a tool's stderr (`ERROR 1045 (28000)`, `Got error: 1049:`,
 * and mariadb-dump's `Error 2013: Lost connection` while it reads a table).
 */
export function errnoOf(stderr: string): number | undefined {
  const match = /(?:ERROR|Error|Got error:?) (\d{4})\b/.exec(stderr);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Classifies a failed dump or client run. */
export function classifyToolFailure(failure: ToolFailure): ToolError {
  if (diskFull.test(failure.stderrTail)) {
    return new ToolError(failure, {
      code: ExitCode.io,
      hint: 'Free space where the file is written and run again.',
    });
  }
  // An option file line the tool does not know, such as MySQL's ssl-mode for MariaDB's tools.
  const unknown = /unknown (?:variable|option) '([^'=]+)/.exec(failure.stderrTail)?.[1];
  if (unknown !== undefined) {
    return new ToolError(failure, {
      code: ExitCode.config,
      hint:
        `The tool does not know the option '${unknown}' from ~/.my.cnf or the system option ` +
        "files; MariaDB's tools take ssl, ssl-ca and ssl-verify-server-cert, not MySQL's ssl-mode.",
    });
  }
  const errno = errnoOf(failure.stderrTail);
  const known = errno === undefined ? undefined : byErrno[errno];
  return known === undefined ? new ToolError(failure) : new ToolError(failure, known);
}

/** Error fields the mysql2 driver sets. */
interface DriverError {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  message?: string;
}

/** Classifies an error from the mysql2 driver, keeping the server's number and message. */
export function classifyDriverError(context: string, error: unknown): Error {
  if (error instanceof UserError) return error;
  const e = error as DriverError;
  const text = e.sqlMessage ?? e.message ?? String(error);
  const server = e.sqlState === undefined ? '' : ` (${e.errno ?? '?'}/${e.sqlState})`;
  const message = `${context}: ${text}${server}`;
  const known = e.errno === undefined ? undefined : byErrno[e.errno];
  if (known !== undefined) return new UserError(message, { ...known, cause: error });
  if (e.code !== undefined && networkCodes.has(e.code)) {
    return new UserError(message, {
      code: ExitCode.unavailable,
      hint: hints.network,
      cause: error,
    });
  }
  if (e.sqlState !== undefined) {
    return new UserError(message, { code: ExitCode.failure, cause: error });
  }
  if (tlsProblem.test(`${e.code ?? ''} ${text}`)) {
    return new UserError(message, { code: ExitCode.config, hint: hints.tls, cause: error });
  }
  return error instanceof Error ? error : new Error(message);
}

/** Names as a quoted, comma-separated list for messages. */
export function quoteList(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}
