// Opens mysql2 driver connections for maintenance queries (listing, counting, creating).
import type { Connection } from 'mysql2/promise';
import { UserError } from '../../errors.js';
import { classifyDriverError } from './errors.js';
import { endpointLabel, type MysqlTarget } from './target.js';
import { driverTls, serverLacksTls } from './tls.js';

/** A connected driver session; `end` it when done. */
export type MysqlSession = Connection;

/** A row as the driver returns it, with big numbers as strings. */
export type Row = Record<string, string | number | null>;

/** Connects to the target, optionally with a default database. */
export async function connectSession(target: MysqlTarget, database?: string) {
  const { tls } = target;
  if (tls === undefined) return attempt(target, database, undefined);
  try {
    return await attempt(target, database, driverTls(tls));
  } catch (error) {
    // ssl-mode=PREFERRED: a server without TLS is reached without it, as the clients do.
    if (tls.mode !== 'preferred' || !serverLacksTls(error)) throw error;
    return attempt(target, database, undefined);
  }
}

async function attempt(
  target: MysqlTarget,
  database: string | undefined,
  ssl: ReturnType<typeof driverTls> | undefined,
) {
  const { endpoint } = target;
  const where =
    endpoint.kind === 'socket'
      ? { socketPath: endpoint.path }
      : { host: endpoint.host, port: endpoint.port };
  // Loaded on first use: a PostgreSQL run never pays the driver's memory (~18 MB).
  const { default: mysql } = await import('mysql2/promise');
  try {
    const session = await mysql.createConnection({
      ...where,
      user: target.user,
      password: target.password?.reveal(),
      database,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      connectTimeout: 10_000,
      ...(ssl === undefined ? {} : { ssl }),
    });
    // A connection the server drops must surface on the next query, not crash the process.
    session.on('error', () => undefined);
    return session;
  } catch (error) {
    const classified = classifyDriverError(
      `unable to connect to ${endpointLabel(endpoint)}`,
      error,
    );
    // MariaDB answers an unencrypted login to a TLS-only server as a wrong password.
    if (
      ssl === undefined &&
      endpoint.kind === 'tcp' &&
      (error as { errno?: number }).errno === 1045
    ) {
      throw withTlsHint(classified);
    }
    throw classified;
  }
}

/** Runs one query with `?` placeholders and returns its rows. */
export async function queryRows(session: MysqlSession, sql: string, params: unknown[] = []) {
  const [rows] = await session.query(sql, params);
  return rows as Row[];
}

/** Quotes an identifier for SQL text: backquotes, doubled inside. */
export function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A column value as text ('' for NULL). */
export function text(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

function withTlsHint(error: Error): Error {
  if (!(error instanceof UserError)) return error;
  return new UserError(error.message, {
    code: error.code,
    hint:
      `${error.hint ?? ''} A server that requires TLS (require_secure_transport) refuses ` +
      'unencrypted logins the same way: then add ssl-ca=/path/to/ca.pem to the [client] ' +
      'group of ~/.my.cnf.',
    cause: error.cause,
  });
}
