// Opens mysql2 driver connections for maintenance queries (listing, counting, creating).
import type { Connection } from 'mysql2/promise';
import { classifyDriverError } from './errors.js';
import { endpointLabel, type MysqlTarget } from './target.js';

/** A connected driver session; `end` it when done. */
export type MysqlSession = Connection;

/** A row as the driver returns it, with big numbers as strings. */
export type Row = Record<string, string | number | null>;

/** Connects to the target, optionally with a default database. */
export async function connectSession(target: MysqlTarget, database?: string) {
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
    });
    // A connection the server drops must surface on the next query, not crash the process.
    session.on('error', () => undefined);
    return session;
  } catch (error) {
    throw classifyDriverError(`unable to connect to ${endpointLabel(endpoint)}`, error);
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
