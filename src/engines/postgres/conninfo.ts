// Builds libpq connection settings for child tools: conninfo strings and environment.
import type { Connection } from '../engine.js';

/** Quotes a value for a libpq conninfo string: single quotes, with `\` and `'` escaped. */
export function quoteConninfo(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A conninfo naming only the database. libpq treats a bare dbname containing `=` as a whole
 * conninfo, so a database named `a=b` must be passed in this quoted form.
 */
export function dbnameConninfo(database: string): string {
  return `dbname=${quoteConninfo(database)}`;
}

/** The host a connection uses: the socket directory wins over the host name. */
export function effectiveHost(connection: Connection): string | undefined {
  return connection.socket ?? connection.host;
}

/** Arguments for host, port and user: not secret, so they may be on the command line. */
export function connectionArgs(connection: Connection): string[] {
  const args: string[] = [];
  const host = effectiveHost(connection);
  if (host !== undefined) args.push(`--host=${host}`);
  if (connection.port !== undefined) args.push(`--port=${connection.port}`);
  if (connection.user !== undefined) args.push(`--username=${connection.user}`);
  return args;
}

/** The child's environment: the caller's plus PGPASSWORD when we hold a password. */
export function childEnv(connection: Connection, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PGAPPNAME: 'dbbackup' };
  if (connection.password !== undefined) out.PGPASSWORD = connection.password.reveal();
  return out;
}
