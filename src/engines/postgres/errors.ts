// Turns PostgreSQL failures (driver errors and tool stderr) into user errors with exit codes.
import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { ToolError, type ToolFailure } from '../../process/tool-error.js';

const hints = {
  auth: 'Check the user and the password (PGPASSWORD, ~/.pgpass, DBBACKUP_URL or the config file).',
  privilege: 'Run as a role with the needed privileges (a superuser sees everything).',
  missingDb: 'Check the name with `dbbackup list databases`; names are case-sensitive.',
  network: 'Check that the server is running and that --host, --port or --socket are right.',
};

interface Rule {
  test: RegExp;
  code: ExitCodeValue;
  hint: string;
}

// Ordered: the first matching rule decides. Texts are libpq's and pg_dump's own.
const rules: Rule[] = [
  {
    test: /password authentication failed|no password supplied|authentication failed/i,
    code: ExitCode.noPermission,
    hint: hints.auth,
  },
  {
    test: /row-level security/i,
    code: ExitCode.noPermission,
    hint: 'Back up as a superuser or a role with BYPASSRLS; a partial backup is never kept.',
  },
  {
    test: /permission denied|must be owner|must be superuser/i,
    code: ExitCode.noPermission,
    hint: hints.privilege,
  },
  {
    test: /database ".*" does not exist/i,
    code: ExitCode.noInput,
    hint: hints.missingDb,
  },
  {
    // A session ended under a running tool: pg_terminate_backend, a restart, a crash.
    test: /terminating connection due to administrator command|server closed the connection unexpectedly/i,
    code: ExitCode.unavailable,
    hint:
      'The server ended the session while it was in use (a restart, or pg_terminate_backend); ' +
      'check the server log and run again.',
  },
  {
    test: /could not connect|connection refused|could not translate host|timeout expired|no such file or directory.*socket|server closed the connection/i,
    code: ExitCode.unavailable,
    hint: hints.network,
  },
  {
    test: /server version mismatch|unsupported version|aborting because of server version/i,
    code: ExitCode.config,
    hint: 'Install client tools at least as new as the server (the postgresql-client package).',
  },
  {
    test: /no space left on device|could not write to output file|file too large/i,
    code: ExitCode.io,
    hint: 'Free space where the file is written and run again.',
  },
];

/** Classifies a failed pg_dump / pg_restore / psql run. */
export function classifyToolFailure(failure: ToolFailure): ToolError {
  const rule = rules.find((r) => r.test.test(failure.stderrTail));
  return rule === undefined
    ? new ToolError(failure)
    : new ToolError(failure, { code: rule.code, hint: rule.hint });
}

/** Driver error fields we keep (the server's own SQLSTATE, detail and hint). */
interface DriverError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

const sqlstateCodes: Record<string, { code: ExitCodeValue; hint: string }> = {
  '28P01': { code: ExitCode.noPermission, hint: hints.auth },
  '28000': { code: ExitCode.noPermission, hint: hints.auth },
  '42501': { code: ExitCode.noPermission, hint: hints.privilege },
  '3D000': { code: ExitCode.noInput, hint: hints.missingDb },
  '57P03': { code: ExitCode.unavailable, hint: 'The server is starting up or shutting down.' },
  '53300': { code: ExitCode.tempFail, hint: 'The server has too many connections; retry later.' },
};

const networkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOENT']);

// The TLS settings and the server disagree: no SSL offered, or a certificate not trusted.
const tlsMismatch =
  /does not support SSL|certificate|self[- ]signed|unable to verify|Hostname\/IP does not match|ERR_TLS|ERR_SSL/i;
const tlsHint =
  'Check PGSSLMODE (disable, allow, prefer, require, verify-ca, verify-full) and, to verify the ' +
  'server, PGSSLROOTCERT; pg_dump and pg_restore read the same variables.';

/** Classifies an error from the pg driver, keeping the server's message. */
export function classifyDriverError(context: string, error: unknown): Error {
  const e = error as DriverError;
  const message = `${context}: ${e.message ?? String(error)}`;
  // Forced row-level security is SQLSTATE 42501 too, but needs its own hint.
  const rls = rules.find((r) => r.test.test('row-level security'));
  if (rls !== undefined && rls.test.test(e.message ?? '')) {
    return new UserError(message, { code: rls.code, hint: rls.hint, cause: error });
  }
  const known = e.code === undefined ? undefined : sqlstateCodes[e.code];
  if (known !== undefined) {
    return new UserError(message, { code: known.code, hint: e.hint ?? known.hint, cause: error });
  }
  if (e.code !== undefined && networkCodes.has(e.code)) {
    return new UserError(message, {
      code: ExitCode.unavailable,
      hint: hints.network,
      cause: error,
    });
  }
  const rule = rules.find((r) => r.test.test(e.message ?? ''));
  if (rule !== undefined) {
    return new UserError(message, { code: rule.code, hint: rule.hint, cause: error });
  }
  if (tlsMismatch.test(`${e.message ?? ''} ${e.code ?? ''}`)) {
    return new UserError(message, { code: ExitCode.config, hint: tlsHint, cause: error });
  }
  if (e.code !== undefined && /^[0-9A-Z]{5}$/.test(e.code)) {
    return new UserError(message, {
      code: ExitCode.failure,
      hint: e.hint,
      detail: e.detail,
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(message);
}
