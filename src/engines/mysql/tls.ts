// TLS for the driver's connections, from the [client] groups of ~/.my.cnf the dump and client
// tools read, so the driver and the tools take the same decision for one server.
import { readFileSync } from 'node:fs';
import type { SslOptions } from 'mysql2';
import { ExitCode, UserError } from '../../errors.js';

/** What the option file asks for. */
export interface TlsSettings {
  /** preferred: TLS when the server offers it (MySQL's default); required: TLS or fail. */
  mode: 'preferred' | 'required';
  /** none: any certificate; ca: signed by the CA; identity: that, and naming the host. */
  verify: 'none' | 'ca' | 'identity';
  ca?: string;
  cert?: string;
  key?: string;
}

const on = (value: string | undefined) =>
  value === undefined || value === '' || /^(1|on|true|yes)$/i.test(value);

/**
 * Reads the TLS options of merged client groups (names with `-` or `_`): MySQL's `ssl-mode`
 * and MariaDB's `ssl`, `skip-ssl`, `ssl-ca`, `ssl-cert`, `ssl-key`, `ssl-verify-server-cert`,
 * deciding as the MariaDB 10.x tools do. Undefined means no TLS, as without such options.
 */
export function tlsSettings(options: ReadonlyMap<string, string>): TlsSettings | undefined {
  const get = (name: string) => options.get(name) ?? options.get(name.replaceAll('-', '_'));
  const has = (name: string) => get(name) !== undefined;
  const files = { ca: get('ssl-ca'), cert: get('ssl-cert'), key: get('ssl-key') };
  const mode = get('ssl-mode')?.toUpperCase();
  if (mode !== undefined) {
    const byMode: Record<string, TlsSettings | undefined> = {
      DISABLED: undefined,
      PREFERRED: { mode: 'preferred', verify: 'none', ...files },
      REQUIRED: { mode: 'required', verify: 'none', ...files },
      VERIFY_CA: { mode: 'required', verify: 'ca', ...files },
      VERIFY_IDENTITY: { mode: 'required', verify: 'identity', ...files },
    };
    if (!(mode in byMode)) {
      throw new UserError(`~/.my.cnf has an unknown ssl-mode '${get('ssl-mode') ?? ''}'`, {
        code: ExitCode.config,
        hint: 'ssl-mode takes DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY.',
      });
    }
    return byMode[mode];
  }
  if (has('skip-ssl') || (has('ssl') && !on(get('ssl')))) return undefined;
  // MariaDB's tools: verifying the server certificate requires TLS; `ssl` or a certificate
  // option alone uses TLS when the server offers it and connects without it otherwise.
  if (has('ssl-verify-server-cert') && on(get('ssl-verify-server-cert'))) {
    return { mode: 'required', verify: 'identity', ...files };
  }
  const wanted = has('ssl') || files.ca !== undefined || files.cert !== undefined;
  return wanted ? { mode: 'preferred', verify: 'none', ...files } : undefined;
}

/** The driver's `ssl` option for these settings (certificate files read now). */
export function driverTls(settings: TlsSettings): SslOptions {
  const read = (path: string | undefined, what: string) => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new UserError(`unable to read the ${what} '${path}' named in ~/.my.cnf`, {
        code: ExitCode.config,
        hint: 'Check the path and the file permissions.',
        cause: error,
      });
    }
  };
  // Without ssl-ca, verification uses the system's trusted CAs, as the clients do.
  return {
    ca: read(settings.ca, 'CA certificate'),
    cert: read(settings.cert, 'client certificate'),
    key: read(settings.key, 'client key'),
    rejectUnauthorized: settings.verify !== 'none',
    verifyIdentity: settings.verify === 'identity',
  };
}

/** Whether a failed TLS attempt failed because the server offers no TLS at all. */
export function serverLacksTls(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return (
    e?.code === 'HANDSHAKE_NO_SSL_SUPPORT' || /does not support secure/i.test(e?.message ?? '')
  );
}
