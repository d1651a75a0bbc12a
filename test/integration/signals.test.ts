// SIGINT and SIGTERM during backup, verify and restore, on PostgreSQL and MariaDB, single and
// cluster: children stopped, temp files removed, nothing under a backup name, run recorded.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetManifest } from '../../src/manifest/set-manifest.js';
import { myFlags } from '../helpers/mysql-case.js';
import * as my from '../helpers/mysql.js';
import {
  backupWithCli,
  cli,
  databaseNames,
  dropDbs,
  tempDir,
  type BackupMade,
} from '../helpers/pg-case.js';
import { cliOn, query, seedDb, socketArgs } from '../helpers/pg-cluster.js';
import { startPgInstance, type PgInstance } from '../helpers/pg-instance.js';
import { createDb, pgQuery, uniqueName } from '../helpers/pg.js';
import { survivors, watchTree, type SeenProcess } from '../helpers/process-tree.js';
import type { CliResult } from '../helpers/run-cli.js';

const pgSource = uniqueName('dbb_sig');
const mySource = my.uniqueName('dbb_sig');
const pgTargets: string[] = [];
const myTargets: string[] = [];
const dirs: string[] = [];
let pgBackup: BackupMade;
let myBackupFile: string;

/** How an interrupted run ended, and what it had started. */
interface Interrupted {
  result: CliResult;
  seen: SeenProcess[];
  orphans: string[];
}

async function newDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

async function waitFor(test: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Runs the CLI, waits until one of `tools` runs under it, sends `signals` (50 ms apart, a
 * second Ctrl+C after the first), and returns how the run ended and which of its processes
 * are still alive a second later.
 */
async function interrupt(
  args: readonly string[],
  tools: readonly string[],
  signals: readonly NodeJS.Signals[],
): Promise<Interrupted> {
  let pid = 0;
  let watch: ReturnType<typeof watchTree> | undefined;
  const running = cli(args, {
    onSpawn: (p) => {
      pid = p;
      watch = watchTree(p);
    },
  });
  await waitFor(() => watch?.seen().some((p) => tools.includes(p.name)) ?? false);
  for (const [i, signal] of signals.entries()) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      // A run may be gone before a second Ctrl+C: that one then has nothing to do.
      if (i === 0) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const result = await running;
  const seen = (await watch?.stop()) ?? [];
  return { result, seen, orphans: await survivors(seen) };
}

/** The names in a backup directory other than the journal, catalog and its WAL files. */
async function backupNames(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => []);
  return names.filter(
    (n) => !n.startsWith('.dbbackup-journal') && !n.startsWith('.dbbackup-catalog'),
  );
}

async function lastJournalEntry(dir: string): Promise<Record<string, unknown>> {
  const text = await fs.readFile(join(dir, '.dbbackup-journal.jsonl'), 'utf8');
  const last = text.trim().split('\n').at(-1) ?? '{}';
  return (JSON.parse(last) as { record: Record<string, unknown> }).record;
}

function expectInterrupted(run: Interrupted, code: number, tools: readonly string[]): void {
  expect(run.result.stderr).toMatch(/^error: interrupted/m);
  // A second Ctrl+C landing in the last instant of exit ends the process by the signal, which
  // a shell reports as 130 too; the run itself had already stopped and cleaned up.
  const status = run.result.code ?? (run.result.signal === 'SIGINT' ? 130 : run.result.signal);
  expect(status, run.result.stderr).toBe(code);
  expect(run.seen.some((p) => tools.includes(p.name))).toBe(true);
  expect(run.orphans).toEqual([]);
}

const cases = [
  { signals: ['SIGINT'], code: 130, label: 'SIGINT' },
  { signals: ['SIGTERM'], code: 143, label: 'SIGTERM' },
  { signals: ['SIGINT', 'SIGINT'], code: 130, label: 'a second SIGINT' },
] as const;

beforeAll(async () => {
  await createDb(pgSource);
  await pgQuery(
    pgSource,
    `CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v
     FROM generate_series(1, 400000) g`,
  );
  pgBackup = await backupWithCli(pgSource, await newDir());

  await my.createDb(mySource);
  await my.myQuery(
    'CREATE TABLE big (id INT PRIMARY KEY, v VARCHAR(80)) SELECT seq AS id, ' +
      'CONCAT(MD5(seq), MD5(seq * 7)) AS v FROM seq_1_to_300000',
    [],
    { database: mySource },
  );
  const dir = await newDir();
  const made = await cli([
    ...['backup', 'single', mySource, '--backup-dir', dir, '--json'],
    ...myFlags,
  ]);
  if (made.code !== 0) throw new Error(made.stderr);
  myBackupFile = (await fs.readdir(dir))
    .filter((n) => n.endsWith('.zst') && !n.startsWith('.'))
    .map((n) => join(dir, n))[0] as string;
}, 300_000);

afterAll(async () => {
  await dropDbs(pgSource, ...pgTargets);
  await my.dropDbs(mySource, ...myTargets);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

describe('an interrupted PostgreSQL backup single', () => {
  it.each(cases)('on $label stops pg_dump, leaves no file and records 130', async (c) => {
    const dir = await newDir();
    const run = await interrupt(
      ['backup', 'single', pgSource, '--backup-dir', dir],
      ['pg_dump'],
      c.signals,
    );
    expectInterrupted(run, c.code, ['pg_dump']);
    expect(await backupNames(dir)).toEqual([]);
    expect(await lastJournalEntry(dir)).toMatchObject({ status: 'failed', errorCode: 130 });
  });
});

describe('an interrupted MariaDB backup single', () => {
  it.each(cases)('on $label stops mariadb-dump, leaves no file and records 130', async (c) => {
    const dir = await newDir();
    const run = await interrupt(
      ['backup', 'single', mySource, '--backup-dir', dir, ...myFlags],
      ['mariadb-dump', 'mysqldump'],
      c.signals,
    );
    expectInterrupted(run, c.code, ['mariadb-dump', 'mysqldump']);
    expect(await backupNames(dir)).toEqual([]);
    expect(await lastJournalEntry(dir)).toMatchObject({ status: 'failed', errorCode: 130 });
  });
});

describe('an interrupted verify', () => {
  it.each(cases)('of a PostgreSQL backup on $label stops zstd and pg_restore', async (c) => {
    const dir = pgBackup.file.slice(0, pgBackup.file.lastIndexOf('/'));
    const before = await backupNames(dir);
    const run = await interrupt(['verify', pgBackup.file], ['zstd', 'pg_restore'], c.signals);
    expectInterrupted(run, c.code, ['zstd', 'pg_restore']);
    expect(await backupNames(dir)).toEqual(before);
    expect(await lastJournalEntry(dir)).toMatchObject({
      action: 'verify',
      ok: false,
      errorCode: 130,
    });
  });

  it('of a MariaDB backup on SIGTERM stops zstd', async () => {
    const dir = myBackupFile.slice(0, myBackupFile.lastIndexOf('/'));
    const before = await backupNames(dir);
    const run = await interrupt(['verify', myBackupFile, ...myFlags], ['zstd'], ['SIGTERM']);
    expectInterrupted(run, 143, ['zstd']);
    expect(await backupNames(dir)).toEqual(before);
    expect(await lastJournalEntry(dir)).toMatchObject({ action: 'verify', errorCode: 130 });
  });
});

describe('an interrupted restore single', () => {
  it.each(cases)('into PostgreSQL on $label drops the database it created', async (c) => {
    const target = uniqueName('dbb_sig_t');
    pgTargets.push(target);
    const run = await interrupt(
      ['restore', 'single', pgBackup.file, '--target', target, '--create', '--confirm'],
      ['pg_restore'],
      c.signals,
    );
    expectInterrupted(run, c.code, ['pg_restore']);
    expect(await databaseNames()).not.toContain(target);
    const dir = pgBackup.file.slice(0, pgBackup.file.lastIndexOf('/'));
    expect(await lastJournalEntry(dir)).toMatchObject({ action: 'restore', errorCode: 130 });
  });

  it.each(cases)('into MariaDB on $label drops the database it created', async (c) => {
    const target = my.uniqueName('dbb_sig_t');
    myTargets.push(target);
    const run = await interrupt(
      [
        ...['restore', 'single', myBackupFile, '--target', target, '--create', '--confirm'],
        ...myFlags,
      ],
      ['mariadb', 'mysql'],
      c.signals,
    );
    expectInterrupted(run, c.code, ['mariadb', 'mysql']);
    const found = await my.myQuery(
      'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [target],
    );
    expect(found).toEqual([]);
  });
});

describe('an interrupted PostgreSQL backup cluster', () => {
  let instance: PgInstance;

  beforeAll(async () => {
    instance = await startPgInstance();
    for (const name of ['one', 'two', 'three']) {
      await seedDb(instance, name);
      await query(
        instance,
        name,
        `CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v
         FROM generate_series(1, 200000) g`,
      );
    }
  }, 120_000);

  afterAll(async () => instance?.stop());

  it.each(cases)('on $label stops its dumps and records the set as interrupted', async (c) => {
    const dir = await newDir();
    const run = await interrupt(
      ['backup', 'cluster', '--backup-dir', dir, '--jobs', '2', ...socketArgs(instance)],
      ['pg_dump'],
      c.signals,
    );
    expectInterrupted(run, c.code, ['pg_dump']);
    const [setName] = (await fs.readdir(dir)).filter((n) => n.startsWith('cluster_'));
    const setDir = join(dir, setName ?? '');
    const files = await fs.readdir(setDir);
    expect(files.filter((f) => f.startsWith('.dbbackup-tmp-'))).toEqual([]);
    // Every data file left under a backup name has its manifest: it is a finished member.
    for (const file of files.filter((f) => /\.pgdump\.zst$/.test(f))) {
      expect(files).toContain(`${file}.manifest.json`);
    }
    const set = JSON.parse(
      await fs.readFile(join(setDir, 'set.manifest.json'), 'utf8'),
    ) as SetManifest;
    expect(set.status).toBe('incomplete');
    const failed = set.members.filter((m) => m.status !== 'complete');
    expect(failed.length).toBeGreaterThan(0);
    for (const member of failed) {
      expect(member).toMatchObject({ status: 'failed', error: { code: 130 } });
    }
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('.dbbackup-lock-'))).toEqual([]);
  });

  it('resumes an interrupted set into a complete one', async () => {
    const dir = await newDir();
    const run = await interrupt(
      ['backup', 'cluster', '--backup-dir', dir, '--jobs', '1', ...socketArgs(instance)],
      ['pg_dump'],
      ['SIGINT'],
    );
    expect(run.result.code).toBe(130);
    const resumed = await cliOn(instance, ['backup', 'cluster', '--backup-dir', dir, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
