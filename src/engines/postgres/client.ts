// Opens driver connections (node-postgres) for maintenance queries and snapshots.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { Client } from 'pg';
import { assertPrivateFile } from '../../config/private-file.js';
import type { Connection } from '../engine.js';
import { classifyDriverError } from './errors.js';
import { effectiveHost } from './conninfo.js';
import { refusedForEncryption, sslPlan } from './ssl.js';

/** A connected client; `end` it when done. */
export type PgClient = Client;

/** Connects to a database with the given connection settings. */
export async function connectClient(connection: Connection, database: string): Promise<PgClient> {
  // TLS as libpq would choose it; the driver and libpq read the process environment.
  const host = effectiveHost(connection) ?? '/var/run/postgresql';
  const ssl = sslPlan(host, process.env);
  // A run opens many sessions to one server: once it refused the first way, go the second.
  const server = `${ssl.mode} ${host}:${connection.port ?? 5432}`;
  if (ssl.second !== undefined && secondWay.has(server)) {
    return attempt(connection, database, host, ssl.second);
  }
  try {
    return await attempt(connection, database, host, ssl.first);
  } catch (error) {
    if (ssl.second === undefined || !refusedForEncryption(error)) throw error;
    const client = await attempt(connection, database, host, ssl.second);
    secondWay.add(server);
    return client;
  }
}

/** Servers (by sslmode, host and port) that refused this process's first TLS choice. */
const secondWay = new Set<string>();

async function attempt(
  connection: Connection,
  database: string,
  host: string,
  ssl: false | ConnectionOptions,
): Promise<PgClient> {
  // Loaded on first use: a MySQL run never pays the driver's memory (~16 MB).
  const { default: pg } = await import('pg');
  // The driver reads ~/.pgpass itself when no password is given, like libpq does.
  const client = new pg.Client({
    host,
    port: connection.port ?? 5432,
    // libpq's default user is the operating-system user; the driver needs it spelled out.
    user: connection.user ?? userInfo().username,
    password: connection.password?.reveal(),
    database,
    application_name: 'dbbackup',
    connectionTimeoutMillis: 10_000,
    ssl,
  });
  // A connection dropped by the server must surface on the next query, not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const libpqError = asLibpqError(error);
    // libpq and the driver skip a password file others can read, and then have no password:
    // say why, as the config file is refused, instead of a bare authentication failure.
    if (connection.password === undefined && /no password supplied/.test(String(libpqError))) {
      await assertPrivateFile(passFilePath(), 'password file');
    }
    throw classifyDriverError(`unable to connect to database '${database}'`, libpqError);
  }
  return client;
}

// node-postgres answers a password request it cannot meet with a plain Error where libpq says
// "no password supplied"; libpq's words classify it as the authentication failure it is.
function asLibpqError(error: unknown): unknown {
  if (!(error instanceof Error) || !/client password must be a string/.test(error.message)) {
    return error;
  }
  return new Error('fe_sendauth: no password supplied', { cause: error });
}

// Where libpq and the driver look for the password file (they read the process environment).
function passFilePath(): string {
  return process.env.PGPASSFILE ?? join(process.env.HOME ?? homedir(), '.pgpass');
}

/** Quotes an identifier for SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
