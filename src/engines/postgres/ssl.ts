// TLS for the driver's connections, read from the same variables and files libpq reads, so the
// driver and the tools (pg_dump, pg_restore, psql) take the same decision for one server.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { ExitCode, UserError } from '../../errors.js';

/** libpq's sslmode values. */
const modes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof modes)[number];

/** How the driver connects: the first attempt, and the other one libpq would try after it. */
export interface SslPlan {
  mode: SslMode;
  first: false | ConnectionOptions;
  /** Tried when the first attempt is refused for its encryption (allow, prefer). */
  second?: false | ConnectionOptions;
}

/**
 * The TLS plan for a connection to `host` (a socket directory when it starts with `/`: libpq
 * never encrypts a Unix socket) under PGSSLMODE (default prefer), PGSSLROOTCERT, PGSSLCERT
 * and PGSSLKEY, with libpq's default files under ~/.postgresql.
 */
export function sslPlan(host: string, env: NodeJS.ProcessEnv): SslPlan {
  // Set but empty is an error to libpq (pg_dump would fail on it), not the default.
  const text = env.PGSSLMODE ?? 'prefer';
  const mode = modes.find((m) => m === text);
  if (mode === undefined) {
    throw new UserError(`invalid PGSSLMODE '${text}'`, {
      code: ExitCode.config,
      hint: `PGSSLMODE takes ${modes.join(', ')} (libpq's sslmode).`,
    });
  }
  if (host.startsWith('/') || mode === 'disable') return { mode, first: false };

  const files = certificateFiles(env);
  const client = clientCertificate(files);
  const unverified: ConnectionOptions = { ...client, rejectUnauthorized: false };
  if (mode === 'allow') return { mode, first: false, second: unverified };
  if (mode === 'prefer') return { mode, first: unverified, second: false };

  const ca = readOptional(files.root, 'root certificate (PGSSLROOTCERT)');
  if (mode === 'require' && ca === undefined) return { mode, first: unverified };
  if (ca === undefined) {
    throw new UserError(
      `PGSSLMODE=${mode} needs a root certificate, and '${files.root}' is missing`,
      {
        code: ExitCode.config,
        hint: 'Point PGSSLROOTCERT at the CA certificate that signed the server certificate.',
      },
    );
  }
  // libpq's require with a root certificate present verifies the chain, as verify-ca does.
  const chain: ConnectionOptions = { ...client, ca, rejectUnauthorized: true };
  if (mode === 'verify-full') return { mode, first: chain };
  return { mode, first: { ...chain, checkServerIdentity: () => undefined } };
}

interface CertificateFiles {
  root: string;
  cert: string;
  key: string;
}

function certificateFiles(env: NodeJS.ProcessEnv): CertificateFiles {
  const dir = join(env.HOME ?? homedir(), '.postgresql');
  return {
    root: env.PGSSLROOTCERT ?? join(dir, 'root.crt'),
    cert: env.PGSSLCERT ?? join(dir, 'postgresql.crt'),
    key: env.PGSSLKEY ?? join(dir, 'postgresql.key'),
  };
}

/** The client certificate and key when both files exist (libpq sends none otherwise). */
function clientCertificate(files: CertificateFiles): Pick<ConnectionOptions, 'cert' | 'key'> {
  const cert = readOptional(files.cert, 'client certificate (PGSSLCERT)');
  if (cert === undefined) return {};
  const key = readOptional(files.key, 'client key (PGSSLKEY)');
  return key === undefined ? {} : { cert, key };
}

function readOptional(path: string, what: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`unable to read the ${what} '${path}': ${(error as Error).message}`, {
      code: ExitCode.config,
      hint: 'Check the file and its permissions.',
      cause: error,
    });
  }
}

/** Whether a failed attempt failed for its encryption, so libpq would try the other way. */
export function refusedForEncryption(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /does not support SSL|no encryption|SSL encryption|SSL off|SSL connection is required/i.test(
    message,
  );
}
