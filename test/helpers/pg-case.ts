// Helpers for PostgreSQL integration tests: shared cases, psql checks, CLI backups and restores.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Manifest } from '../../src/manifest/manifest.js';
import { createDb, dropDb, ident, pgQuery, psqlFile } from './pg.js';
import { jsonResult, runCli, type CliResult, type RunCliOptions } from './run-cli.js';

const run = promisify(execFile);

/** The shared folder beside the repository (`../shared`), as laid for sessions and CI. */
export const sharedDir = fileURLToPath(new URL('../../../shared', import.meta.url));

/** The folder of a case in `../shared/cases`, by its number (e.g. '017'). */
export async function caseDir(id: string): Promise<string> {
  const root = join(sharedDir, 'cases');
  const found = (await fs.readdir(root)).find((name) => name.startsWith(`${id}-`));
  if (found === undefined) throw new Error(`case ${id} not found in ${root}`);
  return join(root, found);
}

/** Creates a fresh database and runs the case's setup.sql in it with psql as superuser. */
export async function loadCase(id: string, database: string): Promise<void> {
  await createDb(database);
  await psqlFile(database, join(await caseDir(id), 'setup.sql'));
}

/** Where psql connects: the local socket by default. */
export interface PsqlTarget {
  host?: string;
  port?: number;
  user?: string;
}

/**
 * Runs one SQL text with psql (unaligned, tuples only, `|` between fields) and returns the
 * output lines, so a check compares with a case.md line such as `citext|ext` as written.
 */
export async function psqlRows(
  database: string,
  sql: string,
  { host, port, user }: PsqlTarget = {},
): Promise<string[]> {
  const args = ['-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1'];
  if (host !== undefined) args.push('-h', host);
  if (port !== undefined) args.push('-p', String(port));
  if (user !== undefined) args.push('-U', user);
  args.push('-d', `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`, '-c', sql);
  const { stdout } = await run('psql', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line !== '');
}

/** Names of the databases on the local server. */
export async function databaseNames(): Promise<string[]> {
  const rows = await pgQuery<{ datname: string }>('postgres', 'SELECT datname FROM pg_database');
  return rows.map((r) => r.datname);
}

/** Drops roles if they exist (their databases must be dropped first). */
export async function dropRoles(...roles: string[]): Promise<void> {
  for (const role of roles) await pgQuery('postgres', `DROP ROLE IF EXISTS ${ident(role)}`);
}

/** Drops databases, ignoring those that do not exist. */
export async function dropDbs(...names: string[]): Promise<void> {
  for (const name of names) await dropDb(name);
}

/** A fresh private directory for backups. */
export async function tempDir(prefix = 'dbbackup-it-'): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), prefix));
}

/** An empty HOME for CLI runs, so no stray ~/.pgpass or config file of the machine applies. */
export const emptyHome = mkdtempSync(join(tmpdir(), 'dbbackup-home-'));

/**
 * The environment for a CLI run: this process's without PostgreSQL and dbbackup settings,
 * HOME set to `home`, plus `extra`.
 */
export function cliEnv(extra: NodeJS.ProcessEnv = {}, home = emptyHome): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(PG|DBBACKUP_|XDG_CONFIG_HOME$|MYSQL)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, HOME: home, ...extra };
}

/** Options of {@link cli}: those of runCli, `env` added to {@link cliEnv}, and a HOME. */
export type CliOptions = Omit<RunCliOptions, 'env' | 'replaceEnv'> & {
  env?: NodeJS.ProcessEnv;
  home?: string;
};

/** Runs the CLI with {@link cliEnv}. */
export function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const { env, home, ...rest } = options;
  return runCli(args, { ...rest, env: cliEnv(env, home), replaceEnv: true });
}

/** A finished backup: the data file path and its manifest. */
export interface BackupMade {
  file: string;
  manifest: Manifest;
  result: CliResult;
}

/** Backs up a database with `backup single --json` and fails the test unless it exits 0. */
export async function backupWithCli(
  database: string,
  backupDir: string,
  extra: readonly string[] = [],
  options: CliOptions = {},
): Promise<BackupMade> {
  const result = await cli(
    ['backup', 'single', database, '--backup-dir', backupDir, '--json', ...extra],
    options,
  );
  if (result.code !== 0) {
    throw new Error(`backup of '${database}' exited ${result.code}:\n${result.stderr}`);
  }
  const file = String(jsonResult(result).file);
  const manifest = JSON.parse(await fs.readFile(`${file}.manifest.json`, 'utf8')) as Manifest;
  return { file, manifest, result };
}

/** Restores a backup into `target` (created) and fails the test unless it exits 0. */
export async function restoreWithCli(
  file: string,
  target: string,
  extra: readonly string[] = [],
  options: CliOptions = {},
): Promise<CliResult> {
  const result = await cli(
    ['restore', 'single', file, '--target', target, '--create', '--confirm', ...extra],
    options,
  );
  if (result.code !== 0) {
    throw new Error(`restore into '${target}' exited ${result.code}:\n${result.stderr}`);
  }
  return result;
}

/** Every entry of a directory with its kind, for checks that nothing else was written. */
export async function listDir(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
}

/**
 * The entries of a backup directory without the run records beside the backups (the journal,
 * and the catalog with its WAL files), which every run, failed ones too, writes.
 */
export async function backupEntries(dir: string): Promise<string[]> {
  const entries = await listDir(dir);
  return entries.filter((name) => !/^\.dbbackup-(journal\.jsonl|catalog\.sqlite)/.test(name));
}

/** Asserts that a CLI failure is a user error: `error:` line, `hint:` line, no stack trace. */
export function userErrorShape(stderr: string): { error: string; hint: string; stack: boolean } {
  const lines = stderr.split('\n');
  return {
    error: lines.find((l) => l.startsWith('error: ')) ?? '',
    hint: lines.find((l) => l.startsWith('hint: ')) ?? '',
    stack: /^\s+at .+\(|internal error|This is a bug/m.test(stderr),
  };
}

/** Creates a database and an unrelated table in it, for tests that need any small database. */
export async function createSmallDb(name: string, rows = 10): Promise<void> {
  await createDb(name);
  await pgQuery(name, 'CREATE TABLE small (id int PRIMARY KEY, v text)');
  await pgQuery(name, `INSERT INTO small SELECT g, 'v' || g FROM generate_series(1, ${rows}) g`);
}
