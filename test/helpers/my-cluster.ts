// Helpers for MariaDB cluster tests on throwaway instances: seeding, CLI runs, comparisons.
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { caseDir, cli, sharedDir, type CliOptions } from './pg-case.js';
import type { MyInstance } from './my-instance.js';
import { ident, runClient, showCreateAll, tableHashes } from './mysql.js';
import type { CliResult } from './run-cli.js';

/** Connection flags for the CLI: MariaDB over the instance's own socket, as root. */
export function myInstanceFlags(instance: MyInstance): string[] {
  return ['--db-type', 'mariadb', '--socket', instance.socket, '--user', 'root'];
}

/** Runs the CLI against an instance. */
export function cliOnMy(
  instance: MyInstance,
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  return cli([...args, ...myInstanceFlags(instance)], options);
}

/** Runs SQL text or a file with the mariadb client as root on the instance. */
export async function clientOn(
  instance: MyInstance,
  database: string | undefined,
  input: string | { file: string },
): Promise<string> {
  const source = typeof input === 'string' ? input : createReadStream(input.file);
  return runClient(database, source, [`--socket=${instance.socket}`, '--user=root']);
}

/** Runs a shared case's setup.mysql.sql on the instance, in `database` (created) or none. */
export async function loadCaseOn(instance: MyInstance, id: string, database?: string) {
  if (database !== undefined) await instance.query(`CREATE DATABASE ${ident(database)}`);
  await clientOn(instance, database, { file: join(await caseDir(id), 'setup.mysql.sql') });
}

/** Loads ../shared/datasets/mariadb-sakila as the database `sakila`, as its scripts intend. */
export async function loadSakilaOn(instance: MyInstance): Promise<void> {
  const dir = join(sharedDir, 'datasets', 'mariadb-sakila');
  await clientOn(instance, undefined, { file: join(dir, 'schema.sql') });
  await clientOn(instance, undefined, { file: join(dir, 'data.sql') });
}

/** SHOW CREATE of every table, view, routine, trigger and event, and of the database itself. */
export async function showCreateAllOn(instance: MyInstance, database: string) {
  const out = await showCreateAll(database, instance.query);
  const [db] = await instance.query(`SHOW CREATE DATABASE ${ident(database)}`);
  out.DATABASE = String(db?.['Create Database']);
  return out;
}

/** Row count and SHA-256 of every row (sorted, binary as hex) for each base table. */
export function tableHashesOn(instance: MyInstance, database: string) {
  return tableHashes(database, instance.query);
}

/** Databases other than the system ones, by name. */
export async function userDatabasesOn(instance: MyInstance): Promise<string[]> {
  const rows = await instance.query(
    `SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA
     WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')`,
  );
  return rows.map((r) => String(r.n)).sort();
}

const accountDefaults = {
  account_locked: false,
  default_role: '',
  max_connections: 0,
  max_questions: 0,
  max_statement_time: 0,
  max_updates: 0,
  max_user_connections: 0,
  password_lifetime: -1,
  ssl_cipher: '',
  ssl_type: 0,
  x509_issuer: '',
  x509_subject: '',
};

/**
 * Every account and role with its whole stored definition (authentication, TLS, limits, lock,
 * expiry policy, default role) except the time its password was last set, which a restore
 * cannot carry over.
 */
export async function accountsOn(instance: MyInstance): Promise<Record<string, unknown>> {
  const rows = await instance.query(
    'SELECT User AS u, Host AS h, Priv AS p FROM mysql.global_priv',
  );
  const out: Record<string, unknown> = {};
  for (const row of rows) {
    // The driver parses the JSON column itself.
    const value = row.p as unknown;
    const priv = (
      typeof value === 'string' ? JSON.parse(value) : { ...(value as object) }
    ) as Record<string, unknown>;
    // PASSWORD EXPIRE stores 0 as the time of the last change; any other time cannot match.
    if (priv.password_last_changed !== undefined) priv.expired = priv.password_last_changed === 0;
    delete priv.password_last_changed;
    // The server stores a value at its default only once a statement named it: fill them in.
    if (priv.is_role !== true) Object.assign(priv, { ...accountDefaults, ...priv });
    out[`'${String(row.u)}'@'${String(row.h)}'`] = priv;
  }
  return out;
}

/** SHOW GRANTS of every account and role (global to column level, role grants, defaults). */
export async function grantsOn(instance: MyInstance): Promise<Record<string, string[]>> {
  const rows = await instance.query('SELECT User AS u, Host AS h, is_role AS r FROM mysql.user');
  const out: Record<string, string[]> = {};
  for (const row of rows) {
    const [u, h] = [String(row.u), String(row.h)];
    const sql =
      row.r === 'Y'
        ? u === 'PUBLIC'
          ? 'SHOW GRANTS FOR PUBLIC'
          : 'SHOW GRANTS FOR ?'
        : 'SHOW GRANTS FOR ?@?';
    const grants = await instance.query(sql, row.r === 'Y' ? [u] : [u, h]);
    out[`'${u}'@'${h}'`] = grants.map((g) => String(Object.values(g)[0])).sort();
  }
  return out;
}

/** Role memberships with their admin option, from mysql.roles_mapping. */
export async function roleMappingOn(instance: MyInstance): Promise<string[]> {
  const rows = await instance.query(
    'SELECT User AS u, Host AS h, Role AS r, Admin_option AS a FROM mysql.roles_mapping',
  );
  return rows
    .map((r) => `'${String(r.u)}'@'${String(r.h)}' > ${String(r.r)} (${String(r.a)})`)
    .sort();
}

/** Reads a JSON file. */
export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await fs.readFile(path, 'utf8')) as T;
}
