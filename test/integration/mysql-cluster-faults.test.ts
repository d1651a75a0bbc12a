// MariaDB cluster faults: unreadable database or accounts, SIGKILL, lock, session budget.
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetManifest } from '../../src/manifest/set-manifest.js';
import { encodeNameForFile } from '../../src/plan/backup-name.js';
import { cli, cliEnv, tempDir } from '../helpers/pg-case.js';
import { cliOnMy, myInstanceFlags, readJson, tableHashesOn } from '../helpers/my-cluster.js';
import { startMyInstance, type MyInstance } from '../helpers/my-instance.js';
import { jsonResult, runCli, type CliResult } from '../helpers/run-cli.js';

const names = ['alpha', 'beta', 'gamma', 'delta'];
const backupPassword = 'Bkc-backup#1 "x"';
let source: MyInstance;

async function setDirs(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir).catch(() => []);
  return entries.filter((e) => e.startsWith('cluster_')).map((e) => join(dir, e));
}

async function readSet(path: string): Promise<SetManifest> {
  return readJson<SetManifest>(join(path, 'set.manifest.json'));
}

/** Polls until `test` holds; fails after `ms`. */
async function waitFor(test: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  source = await startMyInstance();
  for (const name of names) {
    await source.query(`CREATE DATABASE ${name}`);
    await source.query(
      `CREATE TABLE ${name}.big (id INT PRIMARY KEY, v VARCHAR(80)) ENGINE=InnoDB`,
    );
    await source.query(
      `INSERT INTO ${name}.big SELECT seq, CONCAT(MD5(seq), MD5(seq * 7)) FROM seq_1_to_300000`,
      [],
      name,
    );
  }
  await source.query('CREATE DATABASE locked');
  await source.query('CREATE TABLE locked.t (id INT PRIMARY KEY)');
  // A backup account that may list every database and read its own, but not `locked`, and that
  // reads mysql.user and mysql.proc but not the other accounts' definitions.
  await source.query("CREATE USER 'bkc_backup'@'localhost' IDENTIFIED BY ?", [backupPassword]);
  await source.query("GRANT SHOW DATABASES ON *.* TO 'bkc_backup'@'localhost'");
  await source.query("GRANT SELECT ON mysql.user TO 'bkc_backup'@'localhost'");
  await source.query("GRANT SELECT ON mysql.proc TO 'bkc_backup'@'localhost'");
  for (const name of names) {
    await source.query(
      `GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON ${name}.* TO 'bkc_backup'@'localhost'`,
    );
  }
  await source.query("CREATE USER 'bkc_other'@'%' IDENTIFIED BY 'Other-Passw0rd'");
}, 300_000);

afterAll(async () => {
  await source?.stop();
});

describe('backup cluster with a database the account cannot read', () => {
  let dir: string;
  let result: CliResult;

  beforeAll(async () => {
    dir = await tempDir();
    result = await cli(
      [
        ...['backup', 'cluster', '--backup-dir', dir],
        ...['--db-type', 'mariadb', '--socket', source.socket, '--user', 'bkc_backup'],
      ],
      { env: { MYSQL_PWD: backupPassword } },
    );
  }, 300_000);

  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('exits 77 and names the database that failed and why', () => {
    expect(result.code, result.stderr).toBe(77);
    expect(result.stderr).toMatch(/error: cluster backup is incomplete: 1 of 6 member\(s\) failed/);
    expect(result.stderr).toMatch(/'locked': account 'bkc_backup@localhost' cannot see/);
    expect(result.stderr).toMatch(/^hint: .*--resume/m);
    expect(result.stdout).toMatch(/FAILED 'locked'/);
  });

  it('marks the set incomplete with the reason, and every other member complete', async () => {
    const [path = ''] = await setDirs(dir);
    const set = await readSet(path);
    expect(set.status).toBe('incomplete');
    expect(set.members.find((m) => m.database === 'locked')).toMatchObject({
      status: 'failed',
      error: { code: 77 },
    });
    const others = set.members.filter((m) => m.database !== 'locked');
    expect(others.map((m) => m.status)).toEqual(names.map(() => 'complete'));
  });

  it('says which accounts it could not read, in a warning and in the set manifest', async () => {
    expect(result.stderr).toMatch(
      /warning: account 'bkc_backup@localhost' cannot read the definitions of 1 account\(s\), left out of this backup: 'bkc_other'@'%'/,
    );
    const [path = ''] = await setDirs(dir);
    const set = await readSet(path);
    expect(set.globals.status === 'complete' && set.globals.warnings).toEqual([
      expect.stringMatching(/left out of this backup: 'bkc_other'@'%'/),
    ]);
  });

  it('leaves the other members restorable on their own', async () => {
    const [path = ''] = await setDirs(dir);
    const restored = await cliOnMy(source, [
      ...['restore', 'single', path, '--database', 'alpha'],
      ...['--target', 'alpha_copy', '--create', '--confirm'],
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await tableHashesOn(source, 'alpha_copy')).toEqual(await tableHashesOn(source, 'alpha'));
    await source.query('DROP DATABASE alpha_copy');
  });

  it('completes the same set with --resume as root, keeping the members that verify', async () => {
    const resumed = await cliOnMy(source, [
      ...['backup', 'cluster', '--backup-dir', dir, '--resume', '--json'],
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [path] = await setDirs(dir);
    expect(jsonResult(resumed)).toMatchObject({ set: path, resumed: true, status: 'complete' });
    const set = await readSet(path ?? '');
    expect(set.runs).toBe(2);
    const kept = set.members.filter((m) => m.status === 'complete' && m.kept);
    expect(kept.map((m) => m.database).sort()).toEqual([...names].sort());
    expect(set.members.find((m) => m.database === 'locked')).toMatchObject({ kept: false });
  });
});

describe('backup cluster by an account that cannot read the account list', () => {
  it('fails the globals with exit 77 and says what to grant, instead of an empty globals file', async () => {
    await source.query("CREATE USER 'bkc_blind'@'localhost' IDENTIFIED BY 'Blind-Passw0rd'");
    await source.query("GRANT SHOW DATABASES ON *.* TO 'bkc_blind'@'localhost'");
    const dir = await tempDir();
    const result = await cli(
      [
        ...['backup', 'cluster', '--backup-dir', dir, '--exclude', '*'],
        ...['--db-type', 'mariadb', '--socket', source.socket, '--user', 'bkc_blind'],
      ],
      { env: { MYSQL_PWD: 'Blind-Passw0rd' } },
    );
    await source.query("DROP USER 'bkc_blind'@'localhost'");
    expect(result.code, result.stderr).toBe(77);
    expect(result.stderr).toMatch(
      /globals: account 'bkc_blind@localhost' cannot read the list of accounts/,
    );
    const [path = ''] = await setDirs(dir);
    expect((await readSet(path)).globals).toMatchObject({ status: 'failed', error: { code: 77 } });
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('SIGKILL during a MariaDB cluster backup', () => {
  let dir: string;
  let path: string;
  let target: MyInstance;

  beforeAll(async () => {
    dir = await tempDir();
    target = await startMyInstance();
    let pid = 0;
    const running = runCli(
      [
        ...['backup', 'cluster', '--backup-dir', dir, '--jobs', '1', '--exclude', 'locked'],
        ...myInstanceFlags(source),
      ],
      { env: cliEnv(), replaceEnv: true, onSpawn: (p) => (pid = p) },
    );
    await waitFor(async () => {
      const [set] = await setDirs(dir);
      if (set === undefined) return false;
      const files = await fs.readdir(set);
      // Temporary files end in their final name too: only a published manifest counts.
      const done = files.filter((f) => f.endsWith('.sql.zst.manifest.json'));
      return done.filter((f) => !/^(globals_|\.dbbackup-tmp-)/.test(f)).length >= 1;
    });
    process.kill(pid, 'SIGKILL');
    const killed = await running;
    expect(killed.signal).toBe('SIGKILL');
    [path = ''] = await setDirs(dir);
  }, 300_000);

  afterAll(async () => {
    await target?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('leaves an unfinished set, shown as resumable, and a stale lock', async () => {
    await expect(fs.stat(join(path, 'set.manifest.json'))).rejects.toThrow();
    const listed = await cli(['list', 'backups', '--backup-dir', dir]);
    expect(listed.stdout).toContain('unfinished (resumable)');
    expect((await fs.readdir(dir)).some((f) => f.startsWith('.dbbackup-lock-'))).toBe(true);
  });

  it('resumes into a complete set: the stale lock is taken over, finished members kept', async () => {
    const resumed = await cliOnMy(source, [
      ...['backup', 'cluster', '--backup-dir', dir, '--resume', '--json'],
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonResult(resumed)).toMatchObject({ set: path, resumed: true, status: 'complete' });
    const set = await readSet(path);
    expect(
      set.members.some((m) => m.status === 'complete' && m.kept),
      resumed.stderr,
    ).toBe(true);
    expect(set.members.some((m) => m.status === 'complete' && !m.kept)).toBe(true);
    const left = await fs.readdir(path);
    expect(left.filter((f) => f.startsWith('.dbbackup-tmp-'))).toEqual([]);
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('.dbbackup-lock-'))).toEqual([]);
  });

  it('restores the resumed set into a fresh server with every row and the accounts', async () => {
    const restored = await cliOnMy(target, ['restore', 'cluster', path, '--confirm']);
    expect(restored.code, restored.stderr).toBe(0);
    for (const name of names) {
      expect(await tableHashesOn(target, name), name).toEqual(await tableHashesOn(source, name));
    }
    const accounts = await target.query(
      "SELECT User AS u FROM mysql.user WHERE User LIKE 'bkc%' ORDER BY 1",
    );
    expect(accounts).toEqual([{ u: 'bkc_backup' }, { u: 'bkc_other' }]);
  });
});

describe('a MariaDB cluster restore killed part way', () => {
  let dir: string;
  let path: string;
  let target: MyInstance;
  const expected: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    dir = await tempDir();
    target = await startMyInstance();
    for (const name of names) expected[name] = await tableHashesOn(source, name);
    const made = await cliOnMy(source, [
      ...['backup', 'cluster', '--backup-dir', dir, '--exclude', 'locked', '--json'],
    ]);
    if (made.code !== 0) throw new Error(made.stderr);
    path = String(jsonResult(made).set);
    const journal = join(path, `restore-journal_${encodeNameForFile(target.socket)}.json`);
    let pid = 0;
    const running = runCli(
      [...['restore', 'cluster', path, '--jobs', '1', '--confirm'], ...myInstanceFlags(target)],
      { env: cliEnv(), replaceEnv: true, onSpawn: (p) => (pid = p) },
    );
    await waitFor(async () => {
      const text = await fs.readFile(journal, 'utf8').catch(() => '');
      return /"done"/.test(text) && /"created"/.test(text);
    });
    process.kill(pid, 'SIGKILL');
    expect((await running).signal).toBe('SIGKILL');
  }, 300_000);

  afterAll(async () => {
    await target?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('shows a clear state: what was restored is kept, what was cut is redone', async () => {
    const plan = await cliOnMy(target, ['restore', 'cluster', path]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/restored by an earlier run of this restore: kept/);
    expect(plan.stdout).toMatch(
      /left by an interrupted run of this restore: redone|missing: will be created/,
    );
  });

  it('finishes on a rerun, without --clean-cluster, with every row and the accounts', async () => {
    const rerun = await cliOnMy(target, ['restore', 'cluster', path, '--confirm']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/already restored before/);
    for (const name of names)
      expect(await tableHashesOn(target, name), name).toEqual(expected[name]);
    const accounts = await target.query(
      "SELECT User AS u FROM mysql.user WHERE User = 'bkc_other'",
    );
    expect(accounts).toEqual([{ u: 'bkc_other' }]);
    const files = await fs.readdir(path);
    expect(files.filter((f) => f.startsWith('restore-journal_'))).toEqual([]);
  });
});

describe('the backup directory lock on MariaDB', () => {
  it('makes a second run exit 75 while a live process holds it', async () => {
    const dir = await tempDir();
    // The lock goes by what the server reports, not by the socket it is reached through.
    const [row] = (await source.query('SELECT @@hostname AS h, @@port AS p, @@datadir AS d')) as {
      h: string;
      p: number;
      d: string;
    }[];
    const key = `mysql host ${row?.h ?? ''} port ${row?.p ?? ''} datadir ${row?.d ?? ''}`;
    const lock = join(dir, `.dbbackup-lock-${encodeNameForFile(key)}`);
    const holder = { pid: process.pid, host: hostname(), started: null, token: 'x', since: '' };
    await fs.writeFile(lock, JSON.stringify({ ...holder, purpose: 'test' }));
    const result = await cliOnMy(source, [
      ...['backup', 'cluster', '--backup-dir', dir, '--lock-timeout', '1'],
    ]);
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/is locked for 'mysql .*' by 'test' \(pid \d+/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('the session budget on MariaDB', () => {
  it('never holds more than jobs + 1 sessions, the dump tools included', async () => {
    const dir = await tempDir();
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await source.query(
          `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST
           WHERE USER = 'root' AND ID <> CONNECTION_ID()`,
        );
        peak = Math.max(peak, Number(row?.n ?? 0));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const result = await cliOnMy(source, [
      ...['backup', 'cluster', '--backup-dir', dir, '--jobs', '2', '--exclude', 'locked'],
    ]);
    sampling = false;
    await sampler;
    await fs.rm(dir, { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(peak).toBeLessThanOrEqual(3);
  });
});
