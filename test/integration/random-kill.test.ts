// SIGKILL at random points of backups, on PostgreSQL and MariaDB: whatever is left under a
// backup name is a complete backup that verifies, and the next run cleans the temp leftovers.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { myFlags } from '../helpers/mysql-case.js';
import * as my from '../helpers/mysql.js';
import { cli, dropDbs, tempDir } from '../helpers/pg-case.js';
import { createDb, pgQuery, uniqueName } from '../helpers/pg.js';
import { survivors, watchTree } from '../helpers/process-tree.js';

const kills = 10;
const pgSource = uniqueName('dbb_kill');
const mySource = my.uniqueName('dbb_kill');
const dirs: string[] = [];

// Big enough that the dump itself, not the start-up checks, takes most of a run.
beforeAll(async () => {
  await createDb(pgSource);
  await pgQuery(
    pgSource,
    `CREATE TABLE t AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v
     FROM generate_series(1, 300000) g`,
  );
  await my.createDb(mySource);
  await my.myQuery(
    'CREATE TABLE t (id INT PRIMARY KEY, v CHAR(64)) SELECT seq AS id, ' +
      'CONCAT(MD5(seq), MD5(seq * 7)) AS v FROM seq_1_to_300000',
    [],
    { database: mySource },
  );
}, 120_000);

afterAll(async () => {
  await dropDbs(pgSource);
  await my.dropDbs(mySource);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

/** What the kill loop did: the delay of each kill and whether the run was still alive. */
interface KillLog {
  delays: number[];
  killed: number;
  orphans: string[];
  /** Temporary files found right after a kill (the next run must clean them). */
  leftovers: number;
}

/**
 * Times one backup, then starts `kills` more, each SIGKILLed after a random delay within that
 * time, so the kills land anywhere from start-up to publishing.
 */
async function killLoop(dir: string, args: readonly string[]): Promise<KillLog> {
  const log: KillLog = { delays: [], killed: 0, orphans: [], leftovers: 0 };
  const started = Date.now();
  const timed = await cli(args);
  expect(timed.code, timed.stderr).toBe(0);
  const spanMs = Date.now() - started;
  for (let i = 0; i < kills; i += 1) {
    const delay = Math.floor(Math.random() * spanMs);
    log.delays.push(delay);
    let pid = 0;
    let watch: ReturnType<typeof watchTree> | undefined;
    const running = cli(args, {
      onSpawn: (p) => {
        pid = p;
        watch = watchTree(p);
      },
    });
    // The first kill waits for the data's temporary file, so at least one run is cut while
    // writing and the leftover check below is never skipped by chance; the rest are random.
    if (i === 0) await waitForTemp(dir, spanMs * 2);
    else await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // The run finished before its kill: it is one more complete backup to check.
    }
    const result = await running;
    if (result.signal === 'SIGKILL') log.killed += 1;
    // The tools of a SIGKILLed run see their pipe close and end on their own.
    log.orphans.push(...(await survivors((await watch?.stop()) ?? [], 10_000)));

    const temps = (await fs.readdir(dir)).filter((n) => n.startsWith('.dbbackup-tmp-'));
    if (temps.length > 0) {
      log.leftovers += temps.length;
      const listed = await cli(['list', 'backups', '--backup-dir', dir, '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).not.toContain('.dbbackup-tmp-');
    }
  }
  return log;
}

/** Waits until a temporary file is in `dir`, or `ms` passed. */
async function waitForTemp(dir: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const names = await fs.readdir(dir);
    if (names.some((n) => n.startsWith('.dbbackup-tmp-') && !n.includes('.lock'))) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Checks every file of a backup directory after the loop and one more, clean, backup. */
async function checkAfterwards(dir: string, args: readonly string[], extra: readonly string[]) {
  const clean = await cli(args);
  expect(clean.code, clean.stderr).toBe(0);

  const names = await fs.readdir(dir);
  expect(names.filter((n) => n.startsWith('.dbbackup-tmp-'))).toEqual([]);
  const data = names.filter((n) => !n.startsWith('.') && !n.endsWith('.manifest.json'));
  expect(data.length).toBeGreaterThanOrEqual(1);
  for (const name of data) {
    expect(names, `${name} has no manifest`).toContain(`${name}.manifest.json`);
    const verified = await cli(['verify', join(dir, name), ...extra]);
    expect(verified.code, `${name}: ${verified.stderr}`).toBe(0);
  }
  for (const name of names.filter((n) => n.endsWith('.manifest.json'))) {
    expect(names).toContain(name.slice(0, -'.manifest.json'.length));
  }

  const listed = await cli(['list', 'backups', '--backup-dir', dir, '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout).not.toContain('.dbbackup-tmp-');
}

describe('random SIGKILLs during backups', () => {
  it(`of PostgreSQL (${kills} kills) leave only complete, verifying backups`, async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const args = ['backup', 'single', pgSource, '--backup-dir', dir];
    const log = await killLoop(dir, args);
    const delays = `delays ${log.delays.join(',')}`;
    expect(log.orphans, delays).toEqual([]);
    expect(log.killed, delays).toBeGreaterThan(0);
    expect(log.leftovers, delays).toBeGreaterThan(0);
    await checkAfterwards(dir, args, []);
  }, 180_000);

  it(`of MariaDB (${kills} kills) leave only complete, verifying backups`, async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const args = ['backup', 'single', mySource, '--backup-dir', dir, ...myFlags];
    const log = await killLoop(dir, args);
    const delays = `delays ${log.delays.join(',')}`;
    expect(log.orphans, delays).toEqual([]);
    expect(log.killed, delays).toBeGreaterThan(0);
    expect(log.leftovers, delays).toBeGreaterThan(0);
    await checkAfterwards(dir, args, myFlags);
  }, 180_000);
});
