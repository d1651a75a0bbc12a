// The machine around the tool is wrong: the backup directory is a symlink, a dump tool is
// missing or too old, a backup of the other engine is given to restore.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { myFlags } from '../helpers/mysql-case.js';
import * as my from '../helpers/mysql.js';
import {
  backupWithCli,
  cli,
  databaseNames,
  dropDbs,
  tempDir,
  userErrorShape,
} from '../helpers/pg-case.js';
import { currentOwner } from '../../src/plan/temp-name.js';
import { createDb, pgQuery, uniqueName } from '../helpers/pg.js';
import { jsonResult, type CliResult } from '../helpers/run-cli.js';

const pgSource = uniqueName('dbb_env');
const mySource = my.uniqueName('dbb_env');
const dirs: string[] = [];
let pgFile: string;
let myFile: string;

async function newDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  await createDb(pgSource);
  await pgQuery(pgSource, 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g');
  pgFile = (await backupWithCli(pgSource, await newDir())).file;

  await my.createDb(mySource);
  await my.myQuery('CREATE TABLE t (id INT PRIMARY KEY) SELECT seq AS id FROM seq_1_to_100', [], {
    database: mySource,
  });
  const dir = await newDir();
  const made = await cli(['backup', 'single', mySource, '--backup-dir', dir, ...myFlags]);
  if (made.code !== 0) throw new Error(made.stderr);
  const [name] = (await fs.readdir(dir)).filter((n) => n.endsWith('.sql.zst'));
  myFile = join(dir, name ?? '');
}, 120_000);

afterAll(async () => {
  await dropDbs(pgSource);
  await my.dropDbs(mySource);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

/** One `error:` line, a `hint:` line, no stack, and the expected exit code. */
function expectUserError(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  const shape = userErrorShape(result.stderr);
  expect(shape.error).toMatch(pattern);
  expect(shape.hint.length).toBeGreaterThan('hint: '.length);
  expect(shape.stack).toBe(false);
  expect(result.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1);
}

/** A directory for PATH holding links to the named programs and the given scripts only. */
async function pathWith(programs: string[], scripts: Record<string, string> = {}) {
  const dir = await newDir();
  for (const program of programs) {
    const real = execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim();
    await fs.symlink(real, join(dir, program));
  }
  for (const [name, text] of Object.entries(scripts)) {
    await fs.writeFile(join(dir, name), text, { mode: 0o755 });
  }
  return dir;
}

describe('a backup directory that is a symlink', () => {
  it('is followed: the backup lands in the private directory it points to', async () => {
    const real = await newDir();
    const holder = await newDir();
    const link = join(holder, 'backups');
    await fs.symlink(real, link);
    const made = await backupWithCli(pgSource, link);
    expect(made.file.startsWith(`${link}/`)).toBe(true);
    const names = await fs.readdir(real);
    expect(names.filter((n) => !n.startsWith('.'))).toHaveLength(2);
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    const verified = await cli(['verify', made.file]);
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('that dangles fails with 66 naming the link, and creates nothing', async () => {
    const holder = await newDir();
    const link = join(holder, 'backups');
    const missing = join(holder, 'gone');
    await fs.symlink(missing, link);
    const result = await cli(['backup', 'single', pgSource, '--backup-dir', link]);
    expectUserError(result, 66, /backups/);
    await expect(fs.stat(missing)).rejects.toThrow();
  });

  it('to a file fails with 74, one error line and a hint', async () => {
    const holder = await newDir();
    const file = join(holder, 'file');
    await fs.writeFile(file, 'x');
    await fs.symlink(file, join(holder, 'backups'));
    const result = await cli([
      ...['backup', 'single', pgSource],
      ...['--backup-dir', join(holder, 'backups')],
    ]);
    expectUserError(result, 74, /not a directory/);
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });
});

describe('dump tools on PATH', () => {
  it('a missing pg_dump exits 78 with a hint, before writing anything', async () => {
    const dir = await newDir();
    const path = await pathWith(['zstd']);
    const result = await cli(['backup', 'single', pgSource, '--backup-dir', dir], {
      env: { PATH: path },
    });
    expectUserError(result, 78, /pg_dump/);
    expect((await fs.readdir(dir)).filter((n) => !/^\.dbbackup-(journal|catalog)/.test(n))).toEqual(
      [],
    );
  });

  it('a missing mariadb-dump (and mysqldump) exits 78 with a hint', async () => {
    const dir = await newDir();
    const path = await pathWith(['zstd']);
    const result = await cli(['backup', 'single', mySource, '--backup-dir', dir, ...myFlags], {
      env: { PATH: path },
    });
    expectUserError(result, 78, /mariadb-dump|mysqldump/);
  });

  it('a pg_dump older than the server exits 78 naming both versions', async () => {
    const dir = await newDir();
    const fake = '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n';
    const path = await pathWith(['zstd'], { pg_dump: fake });
    const result = await cli(['backup', 'single', pgSource, '--backup-dir', dir], {
      env: { PATH: path },
    });
    expectUserError(result, 78, /9\.6/);
    expect(result.stderr).toMatch(/older than the server/);
  });

  it('a zstd that dies mid-dump fails the backup with its error, stops pg_dump, keeps nothing', async () => {
    const dir = await newDir();
    // zstd reads pg_dump's pipe itself: when it dies, pg_dump must get a broken pipe rather
    // than block on a pipe dbbackup still holds open.
    const fake =
      '#!/bin/sh\n/usr/bin/head -c 100000 >/dev/null\necho "zstd: simulated failure" >&2\nexit 1\n';
    const path = await pathWith(['pg_dump', 'psql', 'pg_restore', 'mkfifo'], { zstd: fake });
    const result = await cli(['backup', 'single', pgSource, '--backup-dir', dir], {
      env: { PATH: path },
    });
    expectUserError(result, 1, /zstd exited with 1: zstd: simulated failure/);
    const left = (await fs.readdir(dir)).filter((n) => !/^\.dbbackup-(journal|catalog)/.test(n));
    expect(left, result.stderr).toEqual([]);
  });

  it('a TMPDIR that does not exist fails the backup with 74 naming it, keeps nothing', async () => {
    const dir = await newDir();
    const missing = join(dir, 'no-such-tmp');
    const backups = join(dir, 'backups');
    const result = await cli(['backup', 'single', pgSource, '--backup-dir', backups], {
      env: { TMPDIR: missing },
    });
    expectUserError(result, 74, /unable to make a pipe in '.*no-such-tmp'/);
    const left = await fs.readdir(backups).catch(() => []);
    expect(left.filter((n) => !/^\.dbbackup-(journal|catalog)/.test(n))).toEqual([]);
  });

  it('a missing zstd fails a PostgreSQL backup with 78 and a hint, not an internal error', async () => {
    const dir = await newDir();
    const path = await pathWith(['pg_dump', 'psql', 'pg_restore', 'mkfifo']);
    const result = await cli(['backup', 'single', pgSource, '--backup-dir', dir], {
      env: { PATH: path },
    });
    expectUserError(result, 78, /unable to run 'zstd': command not found/);
    expect((await fs.readdir(dir)).filter((n) => !/^\.dbbackup-(journal|catalog)/.test(n))).toEqual(
      [],
    );
  });

  it('pipe directories left in TMPDIR by killed runs go with the next run; live ones stay', async () => {
    const tmp = await newDir();
    const { host } = currentOwner();
    const dead = join(tmp, `.dbbackup-tmp-${host}.4194000.a1b2c3d4e5f6.pipe`);
    const live = join(tmp, `.dbbackup-tmp-${host}.${process.pid}.a1b2c3d4e5f6.pipe`);
    await fs.mkdir(dead);
    await fs.writeFile(join(dead, 'fifo'), '');
    await fs.mkdir(live);
    const result = await cli(['backup', 'single', pgSource, '--backup-dir', await newDir()], {
      env: { TMPDIR: tmp },
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await fs.readdir(tmp)).sort()).toEqual([basename(live)]);
  });

  it('a missing pg_restore fails a restore with 78 before the target is created', async () => {
    const target = uniqueName('dbb_env_t');
    const path = await pathWith(['zstd', 'pg_dump', 'psql']);
    const result = await cli(
      ['restore', 'single', pgFile, '--target', target, '--create', '--confirm'],
      { env: { PATH: path } },
    );
    expectUserError(result, 78, /pg_restore/);
    expect(await databaseNames()).not.toContain(target);
  });
});

describe('a backup with bytes after its end, restored with --no-verify', () => {
  /** Restores a copy of the backup with bytes appended into a new empty database. */
  async function restoreDamaged(env: Record<string, string> = {}) {
    const dir = await newDir();
    const copy = join(dir, basename(pgFile));
    await fs.copyFile(pgFile, copy);
    await fs.appendFile(copy, 'GARBAGE');
    const target = uniqueName('dbb_env_g');
    await createDb(target);
    try {
      const result = await cli(
        ['restore', 'single', copy, '--target', target, '--no-verify', '--confirm'],
        { timeoutMs: 60_000, env: { DBBACKUP_WORKDIR: dir, ...env } },
      );
      const [row] = await pgQuery<{ n: string }>(
        target,
        "SELECT count(*)::text AS n FROM pg_tables WHERE schemaname = 'public'",
      );
      const left = (await fs.readdir(dir)).filter((n) => n.startsWith('.dbbackup-tmp-'));
      return { result, tables: row?.n, left };
    } finally {
      await dropDbs(target);
    }
  }

  it('fails with 65, and what it says of the target is what the target holds', async () => {
    const { result, tables } = await restoreDamaged();
    expectUserError(result, 65, /zstd/);
    // zstd finds the damage only after the archive: pg_restore is stopped before its COMMIT,
    // or, when it was quicker, the message says it committed. Never a rollback that wasn't.
    if (/rolls back/.test(result.stderr)) {
      expect(tables).toBe('0');
    } else {
      expect(result.stderr).toMatch(/committed before the damage was found/);
      expect(tables).toBe('1');
    }
  });

  it('with --jobs 2 fails with 65 before pg_restore starts: staging waits for an intact read', async () => {
    const { result, tables, left } = await restoreDamaged({ DBBACKUP_JOBS: '2' });
    expectUserError(result, 65, /zstd/);
    expect(tables).toBe('0');
    expect(left).toEqual([]);
  });
});

describe('a backup of the other engine given to restore', () => {
  it('a MariaDB backup is refused by a PostgreSQL restore before the target is created', async () => {
    const target = uniqueName('dbb_env_w');
    const result = await cli([
      ...['restore', 'single', myFile, '--target', target, '--create', '--confirm'],
      ...['--db-type', 'postgres'],
    ]);
    expectUserError(result, 64, /mysql|mariadb/i);
    expect(result.stderr).toMatch(/hint: Restore it with --db-type mariadb/);
    // A wrong request says nothing about the backup: the catalog must not call it corrupt,
    // or retention would delete a sound backup.
    const listed = await cli(['catalog', 'list', '--backup-dir', dirname(myFile), '--json']);
    const rows = jsonResult(listed).backups as { file: string; verification: object }[];
    const row = rows.find((b) => b.file === basename(myFile));
    expect(row?.verification).toMatchObject({ corrupt: false });
    expect(await databaseNames()).not.toContain(target);
  });

  it('a PostgreSQL backup is refused by a MariaDB restore before the target is created', async () => {
    const target = my.uniqueName('dbb_env_w');
    const result = await cli([
      ...['restore', 'single', pgFile, '--target', target, '--create', '--confirm'],
      ...myFlags,
    ]);
    expectUserError(result, 64, /postgres/i);
    const found = await my.myQuery(
      'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [target],
    );
    expect(found).toEqual([]);
  });

  it('without its manifest, a MariaDB dump is refused by a PostgreSQL restore', async () => {
    const dir = await newDir();
    const copy = join(dir, 'loose.sql.zst');
    await fs.copyFile(myFile, copy);
    const target = uniqueName('dbb_env_l');
    const result = await cli([
      ...['restore', 'single', copy, '--target', target, '--create', '--confirm', '--no-verify'],
    ]);
    expectUserError(result, 64, /is an SQL text dump, which postgres cannot restore/);
    expect(result.stderr).not.toMatch(/restoring/);
    expect(await databaseNames()).not.toContain(target);
  });

  it('without its manifest, a PostgreSQL dump is refused by a MariaDB restore', async () => {
    const dir = await newDir();
    const copy = join(dir, 'loose.pgdump.zst');
    await fs.copyFile(pgFile, copy);
    const target = my.uniqueName('dbb_env_l');
    const result = await cli([
      ...['restore', 'single', copy, '--target', target, '--create', '--confirm', '--no-verify'],
      ...myFlags,
    ]);
    expectUserError(result, 64, /is a PostgreSQL custom-format dump, which (mysql|mariadb) cannot/);
    expect(result.stderr).not.toMatch(/restoring/);
    const found = await my.myQuery(
      'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [target],
    );
    expect(found).toEqual([]);
  });
});
