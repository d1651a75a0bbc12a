// Cluster faults: a database the account cannot read, SIGKILL during backup and restore, locks.
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetManifest } from '../../src/manifest/set-manifest.js';
import { encodeNameForFile, tempPrefix } from '../../src/plan/backup-name.js';
import { cli, tempDir } from '../helpers/pg-case.js';
import { cliOn, hashesOf, query, seedDb } from '../helpers/pg-cluster.js';
import { startPgInstance, type PgInstance } from '../helpers/pg-instance.js';
import { jsonResult, runCli } from '../helpers/run-cli.js';
import { cliEnv } from '../helpers/pg-case.js';

const names = ['alpha', 'beta', 'gamma', 'delta'];
let source: PgInstance;

async function readSet(path: string): Promise<SetManifest> {
  return JSON.parse(await fs.readFile(join(path, 'set.manifest.json'), 'utf8')) as SetManifest;
}

async function setDirs(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir).catch(() => []);
  return entries.filter((e) => e.startsWith('cluster_')).map((e) => join(dir, e));
}

/** Polls until `test` holds, then returns; fails after `ms`. */
async function waitFor(test: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts the CLI on an instance and SIGKILLs it once `ready` holds; returns how it ended. */
async function killWhen(instance: PgInstance, args: string[], ready: () => Promise<boolean>) {
  let pid = 0;
  const running = runCli(
    [...args, '--socket', instance.socketDir, '--port', String(instance.port)],
    {
      env: cliEnv(),
      replaceEnv: true,
      onSpawn: (p) => (pid = p),
    },
  );
  await waitFor(ready);
  process.kill(pid, 'SIGKILL');
  return running;
}

async function sourceHashes(): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const name of names) out[name] = await hashesOf(source, name);
  return out;
}

beforeAll(async () => {
  source = await startPgInstance();
  // Like a managed service's admin: reads the data it is granted, but not pg_authid.
  await query(source, 'postgres', 'CREATE ROLE bkc_backup LOGIN');
  for (const name of names) {
    await seedDb(source, name);
    await query(
      source,
      name,
      `CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v
       FROM generate_series(1, 300000) g`,
    );
    await query(source, name, 'GRANT SELECT ON big TO bkc_backup');
  }
  await seedDb(source, 'locked');
  await source.psql('postgres', {
    sql: [
      'REVOKE CONNECT ON DATABASE locked FROM PUBLIC',
      "CREATE ROLE bkc_secret LOGIN PASSWORD 'Neutral-Passw0rd'",
    ].join(';\n'),
  });
}, 300_000);

afterAll(async () => {
  await source?.stop();
});

describe('backup cluster with a database the account cannot read', () => {
  let dir: string;
  let result: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    dir = await tempDir();
    result = await cliOn(source, [
      'backup',
      'cluster',
      '--backup-dir',
      dir,
      '--user',
      'bkc_backup',
    ]);
  }, 300_000);

  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('exits 77 and names the database that failed and why', () => {
    expect(result.code).toBe(77);
    expect(result.stderr).toMatch(
      /error: cluster backup is incomplete: 1 of \d+ member\(s\) failed/,
    );
    expect(result.stderr).toMatch(/'locked': .*permission denied for database "locked"/);
    expect(result.stderr).toMatch(/^hint: .*--resume/m);
    expect(result.stdout).toMatch(/FAILED 'locked'/);
  });

  it('marks the set incomplete with the reason, and every other member complete', async () => {
    const [path] = await setDirs(dir);
    const set = await readSet(path ?? '');
    expect(set.status).toBe('incomplete');
    const locked = set.members.find((m) => m.database === 'locked');
    expect(locked).toMatchObject({ status: 'failed', error: { code: 77 } });
    const others = set.members.filter((m) => m.database !== 'locked');
    expect(others.map((m) => m.status)).toEqual(others.map(() => 'complete'));
  });

  it('falls back to --no-role-passwords with a visible warning (case 005)', async () => {
    expect(result.stderr).toMatch(/warning: role 'bkc_backup' cannot read pg_authid/);
    const [path] = await setDirs(dir);
    const set = await readSet(path ?? '');
    expect(set.globals).toMatchObject({ status: 'complete' });
    expect(set.globals.status === 'complete' && set.globals.warnings[0]).toMatch(/passwords/);
  });

  it('leaves the other members restorable on their own', async () => {
    const [path] = await setDirs(dir);
    const restored = await cliOn(source, [
      ...['restore', 'single', path ?? '', '--database', 'alpha'],
      ...['--target', 'alpha_copy', '--create', '--confirm'],
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await hashesOf(source, 'alpha_copy')).toEqual(await hashesOf(source, 'alpha'));
    await query(source, 'postgres', 'DROP DATABASE alpha_copy');
  });

  it('takes a database from the environment or a URL as the maintenance database, never as a member', async () => {
    const [path] = await setDirs(dir);
    for (const env of [
      { DBBACKUP_DATABASE: 'alpha' },
      { DBBACKUP_URL: `postgresql://root@/alpha?host=${source.socketDir}&port=${source.port}` },
    ]) {
      const restore = await cliOn(
        source,
        ['restore', 'single', path ?? '', '--target', 'alpha_env', '--create', '--confirm'],
        { env },
      );
      expect(restore.code, restore.stderr).toBe(64);
      expect(restore.stderr).toMatch(/is a backup set: name the database to restore/);
      const verified = await cliOn(source, ['verify', path ?? '', '--quick', '--json'], { env });
      // Every member is checked (the failed one fails the run), not just 'alpha'.
      expect(verified.stdout).toMatch(/"database":"beta"|"database": "beta"/);
    }
  });

  it('completes the same set with --resume, keeping the members that verify', async () => {
    const resumed = await cliOn(source, [
      'backup',
      'cluster',
      '--backup-dir',
      dir,
      '--resume',
      '--json',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [path] = await setDirs(dir);
    expect(jsonResult(resumed)).toMatchObject({ set: path, resumed: true, status: 'complete' });
    const set = await readSet(path ?? '');
    expect(set.runs).toBe(2);
    const kept = set.members.filter((m) => m.status === 'complete' && m.kept);
    expect(kept.map((m) => m.database).sort()).toEqual([...names, 'postgres'].sort());
    expect(set.members.find((m) => m.database === 'locked')).toMatchObject({ kept: false });
  });
});

describe('SIGKILL during a cluster backup', () => {
  let dir: string;
  let path: string;
  let target: PgInstance;

  beforeAll(async () => {
    dir = await tempDir();
    target = await startPgInstance();
    const killed = await killWhen(
      source,
      ['backup', 'cluster', '--backup-dir', dir, '--jobs', '1', '--exclude', 'locked'],
      async () => {
        const [set] = await setDirs(dir);
        if (set === undefined) return false;
        const files = await fs.readdir(set);
        // A temporary file ends in its final name too: only a published manifest counts.
        const published = files.filter((f) => !f.startsWith(tempPrefix));
        return published.filter((f) => f.endsWith('.pgdump.zst.manifest.json')).length >= 1;
      },
    );
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
    const resumed = await cliOn(source, [
      'backup',
      'cluster',
      '--backup-dir',
      dir,
      '--resume',
      '--json',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonResult(resumed)).toMatchObject({ set: path, resumed: true, status: 'complete' });
    const set = await readSet(path);
    expect(set.members.some((m) => m.status === 'complete' && m.kept)).toBe(true);
    expect(set.members.some((m) => m.status === 'complete' && !m.kept)).toBe(true);
    const left = await fs.readdir(path);
    expect(left.filter((f) => f.startsWith('.dbbackup-tmp-'))).toEqual([]);
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('.dbbackup-lock-'))).toEqual([]);
  });

  it('restores the resumed set into a fresh server with every row', async () => {
    const restored = await cliOn(target, ['restore', 'cluster', path, '--confirm']);
    expect(restored.code, restored.stderr).toBe(0);
    for (const name of names) {
      expect(await hashesOf(target, name), name).toEqual(await hashesOf(source, name));
    }
  });
});

describe('a cluster restore killed part way', () => {
  let dir: string;
  let path: string;
  let target: PgInstance;
  let expected: Record<string, Record<string, string>>;

  beforeAll(async () => {
    dir = await tempDir();
    target = await startPgInstance();
    expected = await sourceHashes();
    const made = await cliOn(source, [
      'backup',
      'cluster',
      '--backup-dir',
      dir,
      '--exclude',
      'locked',
      '--json',
    ]);
    if (made.code !== 0) throw new Error(made.stderr);
    path = String(jsonResult(made).set);
    const journal = join(
      path,
      `restore-journal_${encodeNameForFile(`${target.socketDir}:${target.port}`)}.json`,
    );
    await killWhen(target, ['restore', 'cluster', path, '--jobs', '1', '--confirm'], async () => {
      const text = await fs.readFile(journal, 'utf8').catch(() => '');
      return /"done"/.test(text) && /"created"/.test(text);
    });
  }, 300_000);

  afterAll(async () => {
    await target?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('shows a clear state: what was restored is kept, what was cut is redone', async () => {
    const plan = await cliOn(target, ['restore', 'cluster', path]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/restored by an earlier run of this restore: kept/);
    expect(plan.stdout).toMatch(
      /left by an interrupted run of this restore: redone|missing: will be created/,
    );
  });

  it('finishes on a rerun, without --clean-cluster, with every row', async () => {
    const rerun = await cliOn(target, ['restore', 'cluster', path, '--confirm']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/already restored before/);
    for (const name of names) expect(await hashesOf(target, name), name).toEqual(expected[name]);
    const files = await fs.readdir(path);
    expect(files.filter((f) => f.startsWith('restore-journal_'))).toEqual([]);
  });

  it('refuses a second restore over the now non-empty databases unless --clean-cluster', async () => {
    const again = await cliOn(target, ['restore', 'cluster', path, '--confirm']);
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/exists and is not empty/);
    await query(target, 'alpha', 'INSERT INTO big VALUES (0, $1)', ['changed']);
    const clean = await cliOn(target, [
      'restore',
      'cluster',
      path,
      '--clean-cluster',
      '--databases',
      'alpha',
      '--confirm',
    ]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(await hashesOf(target, 'alpha')).toEqual(expected.alpha);
  });
});

describe('the backup directory lock', () => {
  let dir: string;
  // The lock goes by the server's identity, not by the socket it is reached through.
  let lockName: () => string;

  beforeAll(async () => {
    dir = await tempDir();
    const [row] = await query<{ id: string; port: string }>(
      source,
      'postgres',
      "SELECT system_identifier::text AS id, current_setting('port') AS port FROM pg_control_system()",
    );
    const key = `postgres system ${row?.id ?? ''} port ${row?.port ?? ''}`;
    lockName = () => `.dbbackup-lock-${encodeNameForFile(key)}`;
  });

  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('makes a second run exit 75 while a live process holds it', async () => {
    const holder = {
      pid: process.pid,
      host: hostname(),
      started: null,
      token: 'x',
      since: '',
      purpose: 'test',
    };
    await fs.writeFile(join(dir, lockName()), JSON.stringify(holder));
    const started = Date.now();
    const result = await cliOn(source, [
      'backup',
      'cluster',
      '--backup-dir',
      dir,
      '--lock-timeout',
      '1',
    ]);
    expect(result.code).toBe(75);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.stderr).toMatch(/is locked for 'postgres .*' by 'test' \(pid \d+/);
    const single = await cliOn(source, ['backup', 'single', 'alpha', '--backup-dir', dir]);
    expect(single.code).toBe(75);
    await fs.rm(join(dir, lockName()));
  });

  it('takes over a lock whose process is gone', async () => {
    const holder = {
      pid: 2 ** 22 + 17,
      host: hostname(),
      started: null,
      token: 'y',
      since: '',
      purpose: 'dead',
    };
    await fs.writeFile(join(dir, lockName()), JSON.stringify(holder));
    const result = await cliOn(source, ['backup', 'single', 'alpha', '--backup-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('.dbbackup-lock-'))).toEqual([]);
  });
});

describe('the session budget', () => {
  // Parallel workers of a count(*) carry the application name too, but are no sessions.
  it('never holds more than jobs + 1 sessions, counting each snapshot connection', async () => {
    const dir = await tempDir();
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await query<{ n: number }>(
          source,
          'postgres',
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE application_name = 'dbbackup' AND backend_type = 'client backend'`,
        );
        peak = Math.max(peak, row?.n ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const result = await cliOn(source, [
      'backup',
      'cluster',
      '--backup-dir',
      dir,
      '--jobs',
      '2',
      '--exclude',
      'locked',
    ]);
    sampling = false;
    await sampler;
    await fs.rm(dir, { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(peak).toBeLessThanOrEqual(3);
  });
});
