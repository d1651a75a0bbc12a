// MariaDB integration helpers: shared cases and datasets, CLI backups and restores.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../../src/manifest/manifest.js';
import { caseDir, cli, sharedDir, type CliOptions } from './pg-case.js';
import { createDb, runClient, runSqlFile } from './mysql.js';
import { jsonResult, type CliResult } from './run-cli.js';

/** Connection flags every MariaDB CLI run gets: the engine and the local socket. */
export const myFlags = ['--db-type', 'mariadb', '--socket', '/run/mysqld/mysqld.sock'];

/** Creates a fresh database and runs the case's setup.mysql.sql in it as root. */
export async function loadMyCase(id: string, database: string): Promise<void> {
  await createDb(database);
  await runSqlFile(database, join(await caseDir(id), 'setup.mysql.sql'));
}

/**
 * Loads ../shared/datasets/mariadb-sakila into `database`. The scripts create and use a
 * database named `sakila` and one view names its tables `sakila.film`; those are pointed at
 * the test's own database, which is what loading Sakila under another name means.
 */
export async function loadSakila(database: string): Promise<void> {
  const dir = join(sharedDir, 'datasets', 'mariadb-sakila');
  const schema = await fs.readFile(join(dir, 'schema.sql'), 'utf8');
  const data = await fs.readFile(join(dir, 'data.sql'), 'utf8');
  const own = `\`${database.replace(/`/g, '``')}\`.`;
  const script = [schema, data]
    .join('\n')
    .replace(/^(DROP SCHEMA IF EXISTS sakila|CREATE SCHEMA sakila|USE sakila);$/gm, '')
    .replace(/\bsakila\./g, own);
  await createDb(database);
  await runClient(database, script);
}

/** A finished backup: the data file path and its manifest. */
export interface MyBackup {
  file: string;
  manifest: Manifest;
  result: CliResult;
}

/** Runs `backup single --json` for MariaDB and fails unless it exits 0. */
export async function myBackup(
  database: string,
  backupDir: string,
  extra: readonly string[] = [],
  options: CliOptions = {},
): Promise<MyBackup> {
  const result = await cli(
    ['backup', 'single', database, '--backup-dir', backupDir, '--json', ...myFlags, ...extra],
    options,
  );
  if (result.code !== 0) {
    throw new Error(`backup of '${database}' exited ${result.code}:\n${result.stderr}`);
  }
  const file = String(jsonResult(result).file);
  const manifest = JSON.parse(await fs.readFile(`${file}.manifest.json`, 'utf8')) as Manifest;
  return { file, manifest, result };
}

/** Runs `restore single --target T --confirm` for MariaDB (created unless `--clean`). */
export function myRestore(
  file: string,
  target: string,
  extra: readonly string[] = [],
  options: CliOptions = {},
): Promise<CliResult> {
  const create = extra.includes('--clean') ? [] : ['--create'];
  return cli(
    ['restore', 'single', file, '--target', target, ...create, '--confirm', ...myFlags, ...extra],
    options,
  );
}

/** Like {@link myRestore}, failing unless the restore exits 0. */
export async function myRestoreOk(
  file: string,
  target: string,
  extra: readonly string[] = [],
  options: CliOptions = {},
): Promise<CliResult> {
  const result = await myRestore(file, target, extra, options);
  if (result.code !== 0) {
    throw new Error(`restore into '${target}' exited ${result.code}:\n${result.stderr}`);
  }
  return result;
}
