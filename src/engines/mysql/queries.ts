// SQL the MySQL engine runs: information_schema and grants, plus exact row counts.
import type { DatabaseInfo } from '../engine.js';
import type { TableFingerprint } from '../../manifest/manifest.js';
import { queryRows, quoteIdent, text, type MysqlSession } from './client.js';
import { parseGrant, type Grant } from './privileges.js';

/** Schemas every server has; never listed, never backed up as user data. */
export const systemSchemas = ['information_schema', 'mysql', 'performance_schema', 'sys'];

// information_schema compares names case-insensitively; BINARY keeps `Sales` apart from `sales`.
const inSchema = (column: string) => `${column} = ? AND BINARY ${column} = ?`;

/** Every user database with its size (data plus indexes). */
export async function listDatabases(session: MysqlSession): Promise<DatabaseInfo[]> {
  const rows = await queryRows(
    session,
    `SELECT s.SCHEMA_NAME AS name, COALESCE(SUM(t.DATA_LENGTH + t.INDEX_LENGTH), 0) AS size
     FROM information_schema.SCHEMATA s
     LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME
     WHERE s.SCHEMA_NAME NOT IN (?)
     GROUP BY s.SCHEMA_NAME ORDER BY s.SCHEMA_NAME`,
    [systemSchemas],
  );
  return rows.map((r) => ({ name: text(r.name), sizeBytes: Number(r.size ?? 0) }));
}

/** One database by its exact name, or undefined. */
export async function findDatabase(session: MysqlSession, name: string) {
  const found = await queryRows(
    session,
    `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE ${inSchema('SCHEMA_NAME')}`,
    [name, name],
  );
  if (found.length === 0) return undefined;
  const [size] = await queryRows(
    session,
    `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS size
     FROM information_schema.TABLES WHERE ${inSchema('TABLE_SCHEMA')}`,
    [name, name],
  );
  return { name, sizeBytes: Number(size?.size ?? 0) } satisfies DatabaseInfo;
}

/** Counts tables, views, routines and events (triggers belong to their tables). */
export async function countObjects(session: MysqlSession, name: string): Promise<number> {
  const [row] = await queryRows(
    session,
    `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE ${inSchema('TABLE_SCHEMA')})
          + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ${inSchema('ROUTINE_SCHEMA')})
          + (SELECT COUNT(*) FROM information_schema.EVENTS WHERE ${inSchema('EVENT_SCHEMA')}) AS n`,
    [name, name, name, name, name, name],
  );
  return Number(row?.n ?? 0);
}

/** Names of the tables whose rows a dump writes (not views, not sequences), sorted. */
export async function baseTables(session: MysqlSession, database: string): Promise<string[]> {
  const rows = await queryRows(
    session,
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
     WHERE ${inSchema('TABLE_SCHEMA')} AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')`,
    [database, database],
  );
  return rows.map((r) => text(r.name)).sort(byName);
}

/** Exact row counts (COUNT(*), never the estimates of information_schema), in one snapshot. */
export async function countRows(session: MysqlSession, database: string) {
  await session.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  try {
    const out: TableFingerprint[] = [];
    for (const name of await baseTables(session, database)) {
      const sql = `SELECT COUNT(*) AS n FROM ${quoteIdent(database)}.${quoteIdent(name)}`;
      const [row] = await queryRows(session, sql);
      out.push({ schema: '', name, rows: Number(row?.n ?? 0) });
    }
    return out;
  } finally {
    await session.query('ROLLBACK');
  }
}

/** Compares names the way manifests are sorted. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** DEFINER accounts (`user@host`) of the database's views, routines, triggers and events. */
export async function definers(session: MysqlSession, database: string): Promise<string[]> {
  const rows = await queryRows(
    session,
    `SELECT DEFINER AS d FROM information_schema.VIEWS WHERE ${inSchema('TABLE_SCHEMA')}
     UNION SELECT DEFINER FROM information_schema.ROUTINES WHERE ${inSchema('ROUTINE_SCHEMA')}
     UNION SELECT DEFINER FROM information_schema.TRIGGERS WHERE ${inSchema('TRIGGER_SCHEMA')}
     UNION SELECT DEFINER FROM information_schema.EVENTS WHERE ${inSchema('EVENT_SCHEMA')}`,
    Array<string>(8).fill(database),
  );
  return rows
    .map((r) => text(r.d))
    .filter((d) => d !== '')
    .sort(byName);
}

/** Whether the database holds views (they need SHOW VIEW to be dumped). */
export async function hasViews(session: MysqlSession, database: string): Promise<boolean> {
  const [row] = await queryRows(
    session,
    `SELECT COUNT(*) AS n FROM information_schema.TABLES
     WHERE ${inSchema('TABLE_SCHEMA')} AND TABLE_TYPE = 'VIEW'`,
    [database, database],
  );
  return Number(row?.n ?? 0) > 0;
}

/** The database's default character set and collation. */
export async function schemaDefaults(session: MysqlSession, database: string) {
  const [row] = await queryRows(
    session,
    `SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co
     FROM information_schema.SCHEMATA WHERE ${inSchema('SCHEMA_NAME')}`,
    [database, database],
  );
  return { charset: text(row?.cs), collation: text(row?.co) };
}

/** The current account's grants, as far as they concern whole databases. */
export async function currentGrants(session: MysqlSession): Promise<Grant[]> {
  const [rows] = await session.query({ sql: 'SHOW GRANTS', rowsAsArray: true });
  return (rows as string[][]).flatMap((row) => {
    const grant = parseGrant(row[0] ?? '');
    return grant === undefined ? [] : [grant];
  });
}

/** Whether the account may read mysql.proc, where MariaDB keeps stored routines. */
export async function canReadProc(session: MysqlSession): Promise<boolean> {
  try {
    await session.query('SELECT 1 FROM mysql.proc LIMIT 0');
    return true;
  } catch {
    return false;
  }
}

/** The account the session runs as (`user@host`). */
export async function currentUser(session: MysqlSession): Promise<string> {
  const [row] = await queryRows(session, 'SELECT CURRENT_USER() AS u');
  return text(row?.u);
}

/** Which of the accounts exist; undefined when the account may not read mysql.user. */
export async function existingAccounts(session: MysqlSession, accounts: string[]) {
  if (accounts.length === 0) return new Set<string>();
  try {
    const rows = await queryRows(session, `SELECT CONCAT(User, '@', Host) AS a FROM mysql.user`);
    const all = new Set(rows.map((r) => text(r.a)));
    return new Set(accounts.filter((a) => all.has(a)));
  } catch {
    return undefined;
  }
}
