// Bad inputs against the real MariaDB: the same exit codes as PostgreSQL, one error and a hint.
import * as fs from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, listDir, tempDir, userErrorShape } from '../helpers/pg-case.js';
import { mountTmpfs, unmountTmpfs } from '../helpers/mount.js';
import {
  clientRows,
  createDb,
  dropDbs,
  dropUsers,
  ident,
  myQuery,
  runClient,
  tableHashes,
  uniqueName,
} from '../helpers/mysql.js';
import { myBackup, myFlags, myRestoreOk, type MyBackup } from '../helpers/mysql-case.js';
import type { CliResult } from '../helpers/run-cli.js';

const source = uniqueName('dbb_mybad');
const databases = [source];
const mounts: string[] = [];
const account: [string, string] = [`bkc_bad_${process.pid}`, 'localhost'];
const password = 'Right-Passw0rd';
let backupDir: string;
let made: MyBackup;

beforeAll(async () => {
  backupDir = await tempDir();
  await createDb(source);
  await runClient(
    source,
    'CREATE TABLE small (id INT PRIMARY KEY, v VARCHAR(20)); ' +
      "INSERT INTO small SELECT seq, CONCAT('v', seq) FROM seq_1_to_2000;",
  );
  made = await myBackup(source, backupDir);
  await dropUsers(account);
  await myQuery('CREATE USER ?@? IDENTIFIED BY ?', [...account, password]);
  await myQuery(`GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON ${ident(source)}.* TO ?@?`, account);
});

afterAll(async () => {
  for (const dir of mounts) await unmountTmpfs(dir);
  await dropDbs(...databases);
  await dropUsers(account);
  await fs.rm(backupDir, { recursive: true, force: true });
});

/** A loopback port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One `error:` line (the only line before the hint), a `hint:` line and no stack trace. */
function expectUserError(result: CliResult, code: number | number[], pattern: RegExp): void {
  const codes = Array.isArray(code) ? code : [code];
  expect(codes, result.stderr).toContain(result.code);
  const shape = userErrorShape(result.stderr);
  expect(shape.error).toMatch(pattern);
  expect(shape.hint.length).toBeGreaterThan('hint: '.length);
  expect(shape.stack).toBe(false);
  expect(result.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1);
}

async function copyBackup(damage: (file: string) => Promise<void>): Promise<string> {
  const dir = await tempDir();
  const file = join(dir, made.file.slice(backupDir.length + 1));
  await fs.copyFile(made.file, file);
  await fs.copyFile(`${made.file}.manifest.json`, `${file}.manifest.json`);
  await damage(file);
  return file;
}

async function exists(name: string): Promise<boolean> {
  const rows = await myQuery('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
    name,
  ]);
  return rows.length > 0;
}

describe('bad inputs on MariaDB', () => {
  it('a missing database exits 66 and writes nothing', async () => {
    const dir = await tempDir();
    const result = await cli([
      'backup',
      'single',
      `${source}_missing`,
      '--backup-dir',
      dir,
      ...myFlags,
    ]);
    expectUserError(result, 66, /database '.*_missing' does not exist/);
    expect(await listDir(dir)).toEqual([]);
    await fs.rm(dir, { recursive: true });
  });

  it('an unreachable server exits 69 for backup, list and restore', async () => {
    const port = String(await closedPort());
    const where = ['--db-type', 'mariadb', '--host', '127.0.0.1', '--port', port];
    const dir = await tempDir();
    const pattern = /connect|ECONNREFUSED/i;
    expectUserError(
      await cli(['backup', 'single', source, '--backup-dir', dir, ...where]),
      69,
      pattern,
    );
    expect(await listDir(dir)).toEqual([]);
    expectUserError(await cli(['list', 'databases', ...where]), 69, pattern);
    expectUserError(
      await cli(['restore', 'single', made.file, '--target', 'x', ...where]),
      69,
      pattern,
    );
    await fs.rm(dir, { recursive: true });
  });

  it('a wrong password exits 77 for backup and restore, naming neither password', async () => {
    const dir = await tempDir();
    const as = [...myFlags, '--user', account[0]];
    const wrong = { env: { MYSQL_PWD: 'Wrong-Passw0rd' } };
    const backup = await cli(['backup', 'single', source, '--backup-dir', dir, ...as], wrong);
    expectUserError(backup, 77, /access denied/i);
    expect(await listDir(dir)).toEqual([]);
    const restore = await cli(['restore', 'single', made.file, '--target', 'x', ...as], wrong);
    expectUserError(restore, 77, /access denied/i);
    for (const text of [backup.stderr, restore.stderr]) {
      expect(text).not.toContain('Wrong-Passw0rd');
      expect(text).not.toContain(password);
    }
    await fs.rm(dir, { recursive: true });
  });

  it('a missing backup file exits 66 for verify and restore', async () => {
    const missing = join(backupDir, 'nothing_20260101T000000Z.sql.zst');
    expectUserError(await cli(['verify', missing, ...myFlags]), 66, /no such file/);
    expectUserError(
      await cli(['restore', 'single', missing, '--target', 'x', '--confirm', ...myFlags]),
      66,
      /no such file/,
    );
  });

  it('a truncated backup exits 65 for verify and restore, and the target is not created', async () => {
    const file = await copyBackup(async (f) => {
      const { size } = await fs.stat(f);
      await fs.truncate(f, size - 100);
    });
    expectUserError(await cli(['verify', file, ...myFlags]), 65, /bytes but its manifest says/);
    const target = uniqueName('dbb_mybad_t');
    databases.push(target);
    const args = ['restore', 'single', file, '--target', target, '--create', '--confirm'];
    expectUserError(await cli([...args, ...myFlags]), 65, /truncated|bytes/);
    expect(await exists(target)).toBe(false);
  });

  it('a cut uncompressed dump without manifest is refused (65) before the target is created', async () => {
    const dir = await tempDir();
    try {
      const plain = await myBackup(source, dir, ['--compression', 'none']);
      const bytes = await fs.readFile(plain.file);
      // Cut at a line end before the last INSERT: every statement left is whole, so the client
      // alone would restore part of the rows and succeed.
      const insert = bytes.lastIndexOf('\nINSERT INTO');
      expect(insert).toBeGreaterThan(0);
      const bare = join(dir, 'cut.sql');
      await fs.writeFile(bare, bytes.subarray(0, insert + 1));
      const target = uniqueName('dbb_mybad_e');
      databases.push(target);
      const args = ['restore', 'single', bare, '--target', target, '--create', '--no-verify'];
      const plan = await cli([...args, ...myFlags]);
      expect(plan.stdout + plan.stderr).toMatch(/dump end.*completion line: it is truncated/);
      expectUserError(await cli([...args, '--confirm', ...myFlags]), 65, /truncated/);
      expect(await exists(target)).toBe(false);

      // The whole file, also without its manifest, restores.
      const whole = join(dir, 'whole.sql');
      await fs.writeFile(whole, bytes);
      const ok = await cli([
        'restore',
        'single',
        whole,
        '--target',
        target,
        '--create',
        '--no-verify',
        '--confirm',
        ...myFlags,
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(await tableHashes(target)).toEqual(await tableHashes(source));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a corrupt backup exits 65 for verify and restore', async () => {
    const file = await copyBackup(async (f) => {
      const bytes = await fs.readFile(f);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
      await fs.writeFile(f, bytes);
    });
    expectUserError(await cli(['verify', file, ...myFlags]), 65, /checksum/);
    expectUserError(await cli(['verify', file, '--quick', ...myFlags]), 65, /checksum/);
    const target = uniqueName('dbb_mybad_c');
    databases.push(target);
    const args = ['restore', 'single', file, '--target', target, '--create', '--confirm'];
    expectUserError(await cli([...args, ...myFlags]), 65, /checksum|corrupt/);
    expect(await exists(target)).toBe(false);
  });

  it('a read-only backup directory fails with 77 or 74 before dumping', async () => {
    const dir = await mountTmpfs('1m', { readOnly: true });
    mounts.push(dir);
    for (const backupDirArg of [dir, join(dir, 'sub')]) {
      const result = await cli([
        'backup',
        'single',
        source,
        '--backup-dir',
        backupDirArg,
        ...myFlags,
      ]);
      expectUserError(result, [77, 74], /read-only file system/);
      expect(result.stderr).not.toMatch(/backing up|backup '/);
    }
    expect(await listDir(dir)).toEqual([]);
  });

  it('a restore without --confirm prints the plan, exits 0 and leaves the target untouched', async () => {
    const missing = uniqueName('dbb_mybad_p');
    databases.push(missing);
    const plan = await cli([
      'restore',
      'single',
      made.file,
      '--target',
      missing,
      '--create',
      ...myFlags,
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/will create database/);
    expect(plan.stdout).toMatch(/run again with --confirm/);
    expect(await exists(missing)).toBe(false);

    const empty = uniqueName('dbb_mybad_e');
    databases.push(empty);
    await createDb(empty);
    const again = await cli(['restore', 'single', made.file, '--target', empty, ...myFlags]);
    expect(again.code, again.stderr).toBe(0);
    const tables = 'SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()';
    expect(await clientRows(empty, tables)).toEqual(['0']);
  });

  it('an unknown flag exits 64 with the usage hint', async () => {
    const result = await cli(['backup', 'single', source, '--frobnicate', ...myFlags]);
    expectUserError(result, 64, /unknown option '--frobnicate'/);
  });

  it('an account that cannot see views fails the backup with 77, naming SHOW VIEW', async () => {
    const db = uniqueName('dbb_mybad_v');
    databases.push(db);
    await createDb(db);
    await runClient(db, 'CREATE TABLE t (id INT PRIMARY KEY); CREATE VIEW v AS SELECT id FROM t;');
    await myQuery(`GRANT SELECT, TRIGGER, EVENT ON ${ident(db)}.* TO ?@?`, account);
    await myQuery('GRANT SELECT ON mysql.proc TO ?@?', account);
    const dir = await tempDir();
    const args = ['backup', 'single', db, '--backup-dir', dir, ...myFlags, '--user', account[0]];
    const result = await cli(args, { env: { MYSQL_PWD: password } });
    expectUserError(result, 77, /cannot see every object of '.*': it lacks SHOW VIEW/);
    expect(await listDir(dir)).toEqual([]);
    await fs.rm(dir, { recursive: true });
  });

  it('backs up and restores a database whose name has spaces, quotes and non-ASCII letters', async () => {
    const name = `it's a "Zürich" Ωδή ${process.pid}`;
    const target = `${name} (copy)`;
    databases.push(name, target);
    await createDb(name);
    await runClient(
      name,
      "CREATE TABLE `straße` (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO `straße` VALUES (1, 'ä'), (2, 'ß');",
    );
    const dir = await tempDir();
    const backup = await myBackup(name, dir);
    expect(backup.manifest.database).toBe(name);
    expect(backup.file.startsWith(`${dir}/`)).toBe(true);
    expect(backup.file.slice(dir.length + 1)).not.toMatch(/[\s'"/]/);
    await myRestoreOk(backup.file, target);
    expect(await tableHashes(target)).toEqual(await tableHashes(name));
    await fs.rm(dir, { recursive: true });
  });
});
