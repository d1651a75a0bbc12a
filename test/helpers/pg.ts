// PostgreSQL test helpers: unique databases, psql scripts, schema dumps and fingerprints.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A unique database name for one test, safe to create and drop. */
export function uniqueName(prefix = 'dbb_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Runs SQL as the local superuser (root, trust auth over the socket) and returns the rows. */
export async function pgQuery<T extends object = Record<string, unknown>>(
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ host: '/var/run/postgresql', database, user: 'root' });
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

/** Creates a database. */
export async function createDb(name: string): Promise<void> {
  await pgQuery('postgres', `CREATE DATABASE ${ident(name)}`);
}

/** Drops a database if it exists, closing its sessions first. */
export async function dropDb(name: string): Promise<void> {
  await pgQuery('postgres', `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
}

/** Runs a SQL file with psql -v ON_ERROR_STOP=1 in a database. */
export async function psqlFile(database: string, file: string): Promise<void> {
  await run(
    'psql',
    [
      '-q',
      '-X',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
      '-f',
      file,
    ],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}

/** A schema-only dump, without the random \restrict lines newer pg_dump versions add. */
export async function schemaDump(database: string): Promise<string> {
  const conninfo = `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const { stdout } = await run('pg_dump', ['--schema-only', '-d', conninfo], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter((line) => !/^\\(un)?restrict /.test(line))
    .join('\n');
}

/** Row count and md5 of the sorted text of every row, for each user table. */
export async function tableHashes(database: string): Promise<Record<string, string>> {
  const tables = await pgQuery<{ schema: string; name: string }>(
    database,
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`,
  );
  const out: Record<string, string> = {};
  for (const { schema, name } of tables) {
    const rel = `${ident(schema)}.${ident(name)}`;
    const [row] = await pgQuery<{ n: string; h: string | null }>(
      database,
      `SELECT count(*)::text AS n, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS h
       FROM ONLY ${rel} t`,
    );
    out[`${schema}.${name}`] = `${row?.n ?? '0'}:${row?.h ?? ''}`;
  }
  return out;
}
