// Files are private: everything the CLI creates is 0600 (files) or 0700 (directories), also
// when the caller's umask is 000; temp paths are created exclusively.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { myFlags } from '../helpers/mysql-case.js';
import * as my from '../helpers/mysql.js';
import { cliEnv, dropDbs, tempDir } from '../helpers/pg-case.js';
import { query, seedDb, socketArgs } from '../helpers/pg-cluster.js';
import { startPgInstance, type PgInstance } from '../helpers/pg-instance.js';
import { createDb, pgQuery, uniqueName } from '../helpers/pg.js';
import { binPath, jsonResult, type CliResult } from '../helpers/run-cli.js';

const pgSource = uniqueName('dbb_mode');
const mySource = my.uniqueName('dbb_mode');
const targets: string[] = [];
let root: string;
let instance: PgInstance;

/** Runs the CLI from a shell whose umask is 000, as a careless caller or cron job might. */
function cliUmask000(args: readonly string[]): Promise<CliResult> {
  const child = spawn(
    'sh',
    ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, binPath, ...args],
    { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function expectOk(args: readonly string[]): Promise<CliResult> {
  const result = await cliUmask000(args);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** Every entry under `dir` whose mode is not 0700 (directories) or 0600 (files). */
async function wrongModes(dir: string): Promise<string[]> {
  const wrong: string[] = [];
  const top = await fs.stat(dir);
  if ((top.mode & 0o777) !== 0o700) wrong.push(`. ${(top.mode & 0o777).toString(8)}`);
  for (const name of await fs.readdir(dir, { recursive: true, encoding: 'utf8' })) {
    const info = await fs.lstat(join(dir, name));
    const want = info.isDirectory() ? 0o700 : 0o600;
    if ((info.mode & 0o777) !== want) wrong.push(`${name} ${(info.mode & 0o777).toString(8)}`);
  }
  return wrong;
}

beforeAll(async () => {
  root = await tempDir();
  await fs.chmod(root, 0o755);
  await createDb(pgSource);
  await pgQuery(pgSource, 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g');
  await my.createDb(mySource);
  await my.myQuery('CREATE TABLE t (id INT PRIMARY KEY) SELECT seq AS id FROM seq_1_to_1000', [], {
    database: mySource,
  });
  instance = await startPgInstance();
  await seedDb(instance, 'modes_one');
  await query(instance, 'modes_one', 'CREATE TABLE t AS SELECT 1 AS id');
}, 120_000);

afterAll(async () => {
  await instance?.stop();
  await dropDbs(pgSource, ...targets);
  await my.dropDbs(mySource, ...targets);
  await fs.rm(root, { recursive: true, force: true });
});

describe('with the caller umask 000', () => {
  it('backups, manifests, catalog, journal, sets, keys and directories are private', async () => {
    const dir = join(root, 'nested', 'backups');
    const keys = join(root, 'keys', 'deep');
    const identity = join(keys, 'key.txt');
    const made = await expectOk(['key', 'generate', '--output', identity, '--json']);
    const recipient = String(jsonResult(made).recipient);

    const pg = await expectOk([
      ...['backup', 'single', pgSource, '--backup-dir', dir, '--json'],
      ...['--encrypt', '--recipient', recipient],
    ]);
    await expectOk(['backup', 'single', mySource, '--backup-dir', dir, ...myFlags]);
    await expectOk(['backup', 'cluster', '--backup-dir', dir, ...socketArgs(instance)]);
    // A failed attempt writes the journal and catalog too.
    const failed = await cliUmask000(['backup', 'single', `${pgSource}_gone`, '--backup-dir', dir]);
    expect(failed.code).toBe(66);

    const file = String(jsonResult(pg).file);
    await expectOk(['verify', file, '--identity', identity]);
    const target = uniqueName('dbb_mode_t');
    targets.push(target);
    await expectOk([
      ...['restore', 'single', file, '--identity', identity, '--target', target],
      ...['--create', '--confirm', '--jobs', '2'],
    ]);

    const names = await fs.readdir(dir);
    expect(names).toEqual(
      expect.arrayContaining(['.dbbackup-journal.jsonl', '.dbbackup-catalog.sqlite']),
    );
    expect(names.some((n) => n.startsWith('cluster_'))).toBe(true);
    expect(await wrongModes(join(root, 'nested'))).toEqual([]);
    expect(await wrongModes(join(root, 'keys'))).toEqual([]);
  }, 180_000);
});
