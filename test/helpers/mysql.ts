// MariaDB test helpers: unique databases, the client, SHOW CREATE of everything, row hashes.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import mysql from 'mysql2/promise';

/** The local server's socket; tests connect as root over it. */
export const socketPath = '/run/mysqld/mysqld.sock';

/** A row from the driver; big numbers and dates as strings, binary values as Buffers. */
export type Row = Record<string, string | number | Buffer | null>;

/** A unique database name for one test, safe to create and drop. */
export function uniqueName(prefix = 'dbb_my'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Quotes an identifier with backquotes. */
export function ident(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** Runs SQL as root (over the socket, or with a given user) and returns the rows. */
export async function myQuery(
  sql: string,
  params: unknown[] = [],
  options: { database?: string; user?: string; password?: string } = {},
): Promise<Row[]> {
  const session = await mysql.createConnection({
    socketPath,
    user: options.user ?? 'root',
    password: options.password,
    database: options.database,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    const [rows] = await session.query(sql, params);
    return rows as Row[];
  } finally {
    await session.end();
  }
}

/** Creates a database. */
export async function createDb(name: string): Promise<void> {
  await myQuery(`CREATE DATABASE ${ident(name)}`);
}

/** Drops databases if they exist. */
export async function dropDbs(...names: string[]): Promise<void> {
  for (const name of names) await myQuery(`DROP DATABASE IF EXISTS ${ident(name)}`);
}

/** Drops accounts if they exist (`'user'@'host'` given as ['user', 'host']). */
export async function dropUsers(...accounts: [string, string][]): Promise<void> {
  for (const [user, host] of accounts) await myQuery('DROP USER IF EXISTS ?@?', [user, host]);
}

/**
 * Runs SQL text or a file through the mariadb client as root with utf8mb4 in a database,
 * the way a case's setup.mysql.sql is meant to run; rejects with the client's stderr.
 */
export async function runClient(
  database: string | undefined,
  input: string | Readable,
  extra: string[] = [],
): Promise<string> {
  const args = ['--default-character-set=utf8mb4', '--batch', '--skip-column-names', ...extra];
  if (database !== undefined) args.push(`--database=${database}`);
  const child = spawn('mariadb', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
  (typeof input === 'string' ? Readable.from([input]) : input).pipe(child.stdin);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`mariadb exited ${code}: ${err}`);
  return out;
}

/** Runs a SQL file in a database with the client (for case setups). */
export async function runSqlFile(database: string | undefined, file: string): Promise<void> {
  await runClient(database, createReadStream(file));
}

/** Runs one query with the client and returns its tab-separated lines, as a case.md shows. */
export async function clientRows(database: string, sql: string): Promise<string[]> {
  const out = await runClient(database, sql);
  return out.split('\n').filter((line) => line !== '');
}

/** Runs a statement as root on some server, in a database; the rows come back. */
export type QueryOn = (sql: string, params?: unknown[], database?: string) => Promise<Row[]>;

/** {@link QueryOn} for the machine's shared server. */
export const queryShared: QueryOn = (sql, params = [], database) =>
  myQuery(sql, params, { database });

/** SHOW CREATE of every table, view, routine, trigger and event, keyed `kind name`. */
export async function showCreateAll(
  database: string,
  query: QueryOn = queryShared,
): Promise<Record<string, string>> {
  const q = (sql: string, params: unknown[] = []) => query(sql, params, database);
  const out: Record<string, string> = {};
  for (const row of await q('SHOW FULL TABLES')) {
    const [name = '', type] = Object.values(row).map(String);
    const kind = type === 'VIEW' ? 'VIEW' : 'TABLE';
    const [created] = await q(`SHOW CREATE ${kind} ${ident(name)}`);
    out[`${kind} ${name}`] = String(Object.values(created ?? {})[1]);
  }
  for (const kind of ['FUNCTION', 'PROCEDURE'] as const) {
    for (const { Name } of await q(`SHOW ${kind} STATUS WHERE Db = ?`, [database])) {
      const [created] = await q(`SHOW CREATE ${kind} ${ident(String(Name))}`);
      const column = `Create ${kind[0]}${kind.slice(1).toLowerCase()}`;
      out[`${kind} ${String(Name)}`] = String(created?.[column]);
    }
  }
  for (const { Trigger } of await q('SHOW TRIGGERS')) {
    const [created] = await q(`SHOW CREATE TRIGGER ${ident(String(Trigger))}`);
    out[`TRIGGER ${String(Trigger)}`] = String(created?.['SQL Original Statement']);
  }
  for (const { Name } of await q('SHOW EVENTS')) {
    const [created] = await q(`SHOW CREATE EVENT ${ident(String(Name))}`);
    out[`EVENT ${String(Name)}`] = String(created?.['Create Event']);
  }
  return out;
}

/** `SHOW CREATE DATABASE` with the name taken out, to compare databases of other names. */
export async function showCreateDatabase(database: string): Promise<string> {
  const [row] = await myQuery(`SHOW CREATE DATABASE ${ident(database)}`);
  return String(row?.['Create Database']).replace(ident(database), '`DB`');
}

/** Row count and SHA-256 of every row (sorted, binary as hex) for each base table. */
export async function tableHashes(
  database: string,
  query: QueryOn = queryShared,
): Promise<Record<string, string>> {
  const tables = await query(
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`,
    [database],
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const rows = await query(`SELECT * FROM ${ident(database)}.${ident(String(t))}`);
    const lines = rows.map((row) =>
      JSON.stringify(Object.values(row).map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v))),
    );
    lines.sort();
    const hash = createHash('sha256').update(lines.join('\n')).digest('hex');
    out[String(t)] = `${rows.length}:${hash}`;
  }
  return out;
}
