// Helpers for cluster tests against throwaway instances: seeding, CLI runs, and comparisons.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { cli, sharedDir, caseDir } from './pg-case.js';
import type { PgInstance } from './pg-instance.js';
import type { CliOptions } from './pg-case.js';
import type { CliResult } from './run-cli.js';

const run = promisify(execFile);

/** Connection flags for the CLI: the instance's socket (trust auth for root). */
export function socketArgs(instance: PgInstance): string[] {
  return ['--socket', instance.socketDir, '--port', String(instance.port)];
}

/** Runs the CLI against an instance. */
export function cliOn(
  instance: PgInstance,
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  return cli([...args, ...socketArgs(instance)], options);
}

/** Runs SQL as root over the instance's socket and returns the rows. */
export async function query<T extends object = Record<string, unknown>>(
  instance: PgInstance,
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({
    host: instance.socketDir,
    port: instance.port,
    user: 'root',
    database,
  });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Quotes an identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates a database on the instance and runs SQL files in it. */
export async function seedDb(instance: PgInstance, name: string, files: string[] = []) {
  await query(instance, 'postgres', `CREATE DATABASE ${ident(name)}`);
  for (const file of files) await instance.psql(name, { file });
}

/** The Sakila dataset's schema and data files (they expect a role `postgres`). */
export function sakilaFiles(): string[] {
  const dir = join(sharedDir, 'datasets', 'postgres-sakila');
  return [join(dir, 'schema.sql'), join(dir, 'data.sql')];
}

/** The setup.sql of a shared case. */
export async function caseSetup(id: string): Promise<string> {
  return join(await caseDir(id), 'setup.sql');
}

/** A schema-only dump of one database, without the random \restrict lines. */
export async function schemaOf(instance: PgInstance, database: string): Promise<string> {
  const conninfo = `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const { stdout } = await run(
    'pg_dump',
    ['--schema-only', '-h', instance.socketDir, '-p', String(instance.port), '-d', conninfo],
    { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, PGUSER: 'root' } },
  );
  return stdout
    .split('\n')
    .filter((line) => !/^\\(un)?restrict /.test(line))
    .join('\n');
}

/** Row count and md5 of the sorted rows of every user table and materialized view. */
export async function hashesOf(instance: PgInstance, database: string) {
  const tables = await query<{ schema: string; name: string }>(
    instance,
    database,
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`,
  );
  const out: Record<string, string> = {};
  for (const { schema, name } of tables) {
    const [row] = await query<{ n: string; h: string | null }>(
      instance,
      database,
      `SELECT count(*)::text AS n, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS h
       FROM ONLY ${ident(schema)}.${ident(name)} t`,
    );
    out[`${schema}.${name}`] = `${row?.n ?? '0'}:${row?.h ?? ''}`;
  }
  return out;
}

/** Databases other than templates, by name. */
export async function userDatabases(instance: PgInstance): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    instance,
    'postgres',
    'SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1',
  );
  return rows.map((r) => r.datname);
}

/** Roles with every attribute, settings and password hash (pg_authid), for equality checks. */
export async function rolesOf(instance: PgInstance) {
  return query(
    instance,
    'postgres',
    `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
            rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil::text, rolpassword,
            (SELECT array_agg(c ORDER BY c) FROM unnest(s.setconfig) c)::text AS config
     FROM pg_authid a LEFT JOIN pg_db_role_setting s ON s.setrole = a.oid AND s.setdatabase = 0
     WHERE rolname !~ '^pg_' ORDER BY 1`,
  );
}

/** Role memberships as `member > role (admin)`. */
export async function membershipsOf(instance: PgInstance): Promise<string[]> {
  const rows = await query<{ m: string }>(
    instance,
    'postgres',
    `SELECT pg_get_userbyid(member) || ' > ' || pg_get_userbyid(roleid) ||
            CASE WHEN admin_option THEN ' (admin)' ELSE '' END AS m
     FROM pg_auth_members ORDER BY 1`,
  );
  return rows.map((r) => r.m);
}

/** Database-level facts: owner, grants, comment, and every ALTER DATABASE/ROLE … SET of it. */
export async function databaseFactsOf(instance: PgInstance, names: readonly string[]) {
  return query(
    instance,
    'postgres',
    `SELECT d.datname, pg_get_userbyid(d.datdba) AS owner,
            (SELECT array_agg(a::text ORDER BY a::text) FROM unnest(d.datacl) a)::text AS acl,
            d.encoding, d.datcollate, shobj_description(d.oid, 'pg_database') AS comment,
            (SELECT string_agg(coalesce(pg_get_userbyid(NULLIF(s.setrole, 0)), '*') || ':' ||
                               array_to_string(s.setconfig, ';'), ' | ' ORDER BY 1)
             FROM pg_db_role_setting s WHERE s.setdatabase = d.oid) AS settings
     FROM pg_database d WHERE d.datname = ANY($1::text[]) ORDER BY 1`,
    [names],
  );
}
