// Two backups into one directory at once: one runs, the other waits (--lock-timeout) or exits
// 75; a dead holder's lock is taken over; concurrent runs create the same directories.
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/manifest/manifest.js';
import { encodeNameForFile } from '../../src/plan/backup-name.js';
import { myFlags } from '../helpers/mysql-case.js';
import mysql from 'mysql2/promise';
import * as my from '../helpers/mysql.js';
import { socketPath } from '../helpers/mysql.js';
import { cli, dropDbs, tempDir, userErrorShape } from '../helpers/pg-case.js';
import { createDb, pgQuery, uniqueName } from '../helpers/pg.js';
import { jsonResult, type CliResult } from '../helpers/run-cli.js';

const pgSource = uniqueName('dbb_lock');
const mySource = my.uniqueName('dbb_lock');
// Small databases for the tests where the lock, not the dump, is the point.
const pgSmall = uniqueName('dbb_lock_s');
const mySmall = my.uniqueName('dbb_lock_s');
const dirs: string[] = [];

async function newDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  await createDb(pgSource);
  await pgQuery(
    pgSource,
    `CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v
     FROM generate_series(1, 400000) g`,
  );
  await my.createDb(mySource);
  await my.myQuery(
    'CREATE TABLE big (id INT PRIMARY KEY, v VARCHAR(80)) SELECT seq AS id, ' +
      'CONCAT(MD5(seq), MD5(seq * 7)) AS v FROM seq_1_to_300000',
    [],
    { database: mySource },
  );
  await createDb(pgSmall);
  await pgQuery(pgSmall, 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g');
  await my.createDb(mySmall);
  await my.myQuery('CREATE TABLE t (id INT PRIMARY KEY) SELECT seq AS id FROM seq_1_to_100', [], {
    database: mySmall,
  });
}, 120_000);

afterAll(async () => {
  await dropDbs(pgSource, pgSmall);
  await my.dropDbs(mySource, mySmall);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

async function lockFiles(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => []);
  return names.filter((n) => n.startsWith('.dbbackup-lock-'));
}

async function waitFor(test: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function manifestOf(result: CliResult): Promise<Manifest> {
  const file = String(jsonResult(result).file);
  return JSON.parse(await fs.readFile(`${file}.manifest.json`, 'utf8')) as Manifest;
}

/** Holds a table lock the dump must wait for; returns what releases it. */
type Hold = () => Promise<() => Promise<void>>;

const holdPg: Hold = async () => {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: '/var/run/postgresql', user: 'root', database: pgSource });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE big IN ACCESS EXCLUSIVE MODE');
  return async () => {
    await client.query('COMMIT');
    await client.end();
  };
};

const holdMy: Hold = async () => {
  const session = await mysql.createConnection({ socketPath, user: 'root', database: mySource });
  await session.query('LOCK TABLES big WRITE');
  return async () => {
    await session.query('UNLOCK TABLES');
    await session.end();
  };
};

/**
 * Starts one backup and keeps it holding the directory lock (its dump waits on a table lock
 * the test holds), then a second run that may not wait and a third that may; releases the
 * table once the third is waiting. Returns all three results.
 */
async function contend(args: (dir: string) => string[], hold: Hold) {
  const dir = await newDir();
  const release = await hold();
  let first: Promise<CliResult> | undefined;
  let refused: CliResult | undefined;
  let waited: Promise<CliResult> | undefined;
  try {
    first = cli([...args(dir), '--json']);
    await waitFor(async () => (await lockFiles(dir)).length > 0);
    refused = await cli([...args(dir), '--lock-timeout', '0']);
    waited = cli([...args(dir), '--lock-timeout', '120', '--json']);
    // Long enough for the third run to start and find the lock taken.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  } finally {
    await release();
  }
  return { dir, first: await first, refused, waited: await waited };
}

describe('two backups into one directory at once', () => {
  it.each([
    ['PostgreSQL', (dir: string) => ['backup', 'single', pgSource, '--backup-dir', dir], holdPg],
    [
      'MariaDB',
      (dir: string) => ['backup', 'single', mySource, '--backup-dir', dir, ...myFlags],
      holdMy,
    ],
  ] as const)(
    'on %s: one runs, one exits 75, one waits for it and then runs',
    async (_, args, hold) => {
      const { dir, first, refused, waited } = await contend(args, hold);
      if (first === undefined || refused === undefined || waited === undefined) {
        throw new Error('a run did not start');
      }
      expect(first.code, first.stderr).toBe(0);

      expect(refused.code, refused.stderr).toBe(75);
      const shape = userErrorShape(refused.stderr);
      expect(shape.error).toMatch(/is locked for .* by 'backup single' \(pid \d+/);
      expect(shape.hint).toMatch(/--lock-timeout/);

      expect(waited.code, waited.stderr).toBe(0);
      const a = await manifestOf(first);
      const b = await manifestOf(waited);
      // Never both writing: the waiting run started its dump after the first had finished.
      expect(Date.parse(b.startedAt)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt) - 1000);
      expect(a.file).not.toBe(b.file);
      for (const made of [first, waited]) {
        const verified = await cli(['verify', String(jsonResult(made).file), ...myFlags]);
        expect(verified.code, verified.stderr).toBe(0);
      }
      expect(await lockFiles(dir)).toEqual([]);
    },
    180_000,
  );
});

describe('one server reached two ways', () => {
  // The lock's name comes from what the server reports; a live holder planted under it must
  // stop a run over the socket and a run over TCP alike.
  const pgKey = async () => {
    const [row] = await pgQuery<{ id: string; port: string }>(
      'postgres',
      "SELECT system_identifier::text AS id, current_setting('port') AS port FROM pg_control_system()",
    );
    return `postgres system ${row?.id ?? ''} port ${row?.port ?? ''}`;
  };
  const myKey = async () => {
    const [row] = await my.myQuery('SELECT @@hostname AS h, @@port AS p, @@datadir AS d');
    const [h, p, d] = [row?.h, row?.p, row?.d].map((v) => String(v ?? ''));
    return `mysql host ${h ?? ''} port ${p ?? ''} datadir ${d ?? ''}`;
  };

  it.each([
    [
      'PostgreSQL',
      pgKey,
      ['backup', 'single', pgSmall, '--socket', '/var/run/postgresql'],
      ['backup', 'single', pgSmall, '--host', '127.0.0.1', '--port', '5432'],
    ],
    [
      'MariaDB',
      myKey,
      ['backup', 'single', mySmall, ...myFlags],
      [
        'backup',
        'single',
        mySmall,
        '--db-type',
        'mariadb',
        '--host',
        '127.0.0.1',
        '--port',
        '3306',
      ],
    ],
  ])(
    'on %s: runs over the socket and over TCP find the same lock (exit 75)',
    async (_, key, bySocket, byTcp) => {
      const dir = await newDir();
      const lock = join(dir, `.dbbackup-lock-${encodeNameForFile(await key())}`);
      const holder = { pid: process.pid, host: hostname(), started: null, token: 'v', since: '' };
      await fs.writeFile(lock, JSON.stringify({ ...holder, purpose: 'test' }));
      for (const args of [bySocket, byTcp]) {
        const result = await cli([...args, '--backup-dir', dir, '--lock-timeout', '0']);
        expect(result.code, result.stderr).toBe(75);
        expect(userErrorShape(result.stderr).error).toMatch(/is locked for .* by 'test'/);
      }
      await fs.rm(lock);
      // Without the planted holder, both run.
      for (const args of [bySocket, byTcp]) {
        const result = await cli([...args, '--backup-dir', dir]);
        expect(result.code, result.stderr).toBe(0);
      }
      expect(await lockFiles(dir)).toEqual([]);
    },
    180_000,
  );
});

describe('a lock left by a process that is gone', () => {
  it('is taken over by a MariaDB backup on the same host', async () => {
    const dir = await newDir();
    // The lock name of this server, learnt from the lock a run takes: plant a dead owner there.
    const running = cli(['backup', 'single', mySmall, '--backup-dir', dir, ...myFlags]);
    await waitFor(async () => (await lockFiles(dir)).length > 0);
    const [name = ''] = await lockFiles(dir);
    expect((await running).code).toBe(0);
    const dead = { pid: 2 ** 22 + 21, host: hostname(), started: null, token: 'z', since: '' };
    await fs.writeFile(join(dir, name), JSON.stringify({ ...dead, purpose: 'dead' }));

    const result = await cli(['backup', 'single', mySmall, '--backup-dir', dir, ...myFlags]);
    expect(result.code, result.stderr).toBe(0);
    expect(await lockFiles(dir)).toEqual([]);
  }, 120_000);

  it('on another host is waited for, not taken over', async () => {
    const dir = await newDir();
    const running = cli(['backup', 'single', pgSmall, '--backup-dir', dir]);
    await waitFor(async () => (await lockFiles(dir)).length > 0);
    const [name = ''] = await lockFiles(dir);
    expect((await running).code).toBe(0);
    const foreign = { pid: 1, host: 'elsewhere.example', started: null, token: 'w', since: '' };
    await fs.writeFile(join(dir, name), JSON.stringify({ ...foreign, purpose: 'other host' }));

    const result = await cli(['backup', 'single', pgSmall, '--backup-dir', dir]);
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/on 'elsewhere\.example'/);
  }, 120_000);
});

describe('parallel runs creating the same directories', () => {
  it('never fail on "already exists"', async () => {
    const root = await newDir();
    const nested = join(root, 'a', 'b', 'c');
    const runs = await Promise.all(
      Array.from({ length: 5 }, () =>
        cli(['backup', 'single', pgSmall, '--backup-dir', nested, '--lock-timeout', '300']),
      ),
    );
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/EEXIST|already exists/);
    }
    const names = (await fs.readdir(nested)).filter((n) => n.endsWith('.manifest.json'));
    expect(names).toHaveLength(5);
    for (const dir of [join(root, 'a'), join(root, 'a', 'b'), nested]) {
      expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    }
  }, 300_000);
});
