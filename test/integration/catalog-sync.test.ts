// The catalog against real PostgreSQL backups: every backup, verify and restore lands in it,
// a deleted catalog is rebuilt by `catalog sync` to exactly the same rows, a broken catalog
// never fails a backup, and eight backups finishing at once all land uncorrupted.
import * as fs from 'node:fs/promises';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../helpers/catalog-cli.js';
import { backupWithCli, cli, dropDbs, restoreWithCli, tempDir } from '../helpers/pg-case.js';
import { createDb, pgQuery, uniqueName } from '../helpers/pg.js';
import { jsonResult } from '../helpers/run-cli.js';

const alpha = uniqueName('dbb_cat_a');
const beta = uniqueName('dbb_cat_b');
const many = Array.from({ length: 8 }, (_, i) => uniqueName(`dbb_cat_${i}`));
const restored = uniqueName('dbb_cat_r');
const dirs: string[] = [];

beforeAll(async () => {
  for (const name of [alpha, beta, ...many]) {
    await createDb(name);
    await pgQuery(name, 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 20) g');
  }
});

afterAll(async () => {
  await dropDbs(alpha, beta, restored, ...many);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

async function newDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

describe('the catalog', () => {
  it('records backups, failures, verifies and restores, and sync rebuilds the same rows', async () => {
    const dir = await newDir();
    const a = await backupWithCli(alpha, dir);
    const b = await backupWithCli(beta, dir, ['--no-verify']);
    expect((await cli(['backup', 'single', alpha, '--backup-dir', dir, '--port', '1'])).code).toBe(
      69,
    );
    expect((await cli(['verify', a.file, '--backup-dir', dir])).code).toBe(0);
    expect((await cli(['verify', b.file, '--quick', '--backup-dir', dir])).code).toBe(0);
    await restoreWithCli(a.file, restored, ['--backup-dir', dir]);

    const path = join(dir, '.dbbackup-catalog.sqlite');
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    const original = readCatalog(path);
    expect(original.backups).toHaveLength(3);
    expect(original.runs).toHaveLength(3);

    const info = jsonResult(
      await cli(['catalog', 'info', basename(a.file), '--backup-dir', dir, '--json']),
    );
    expect(info.backup).toMatchObject({
      database: alpha,
      status: 'complete',
      verification: { checksum: true, deep: true },
    });

    for (const suffix of ['', '-wal', '-shm']) await fs.rm(`${path}${suffix}`, { force: true });
    const sync = await cli(['catalog', 'sync', dir, '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(jsonResult(sync)).toMatchObject({ backups: 2, failures: 1, runs: 3 });
    expect(readCatalog(path)).toEqual(original);

    // A second sync of a catalog that matches changes nothing.
    expect(jsonResult(await cli(['catalog', 'sync', dir, '--json']))).toMatchObject({
      added: [],
      removed: [],
      updated: [],
    });
  });

  it('lists, searches, counts and exports what it holds', async () => {
    const dir = await newDir();
    await backupWithCli(alpha, dir);
    await backupWithCli(beta, dir, ['--no-verify']);
    const run = (...args: string[]) => cli(['catalog', ...args, '--backup-dir', dir]);

    const list = jsonResult(await run('list', '--database', alpha, '--json')) as {
      backups: { database: string }[];
    };
    expect(list.backups.map((r) => r.database)).toEqual([alpha]);
    const unverified = jsonResult(await run('search', '--verified', 'no', '--json')) as {
      backups: { database: string }[];
    };
    expect(unverified.backups.map((r) => r.database)).toEqual([beta]);
    const encrypted = jsonResult(await run('search', '--encrypted', 'yes', '--json')) as {
      backups: unknown[];
    };
    expect(encrypted.backups).toEqual([]);
    const since = jsonResult(
      await run('search', '--database', 'dbb_cat_*', '--since', '1h', '--limit', '1', '--json'),
    ) as {
      backups: unknown[];
    };
    expect(since.backups).toHaveLength(1);

    const csv = (await run('list', '--format', 'csv')).stdout.trim().split('\n');
    expect(csv[0]).toBe('database,started,status,size,verified,encrypted,file,kind');
    expect(csv).toHaveLength(3);
    const stats = jsonResult(await run('stats', '--json')) as {
      total: { backups: number; successRate: number };
    };
    expect(stats.total).toMatchObject({ backups: 2, successRate: 1 });
    const table = (await run('stats')).stdout;
    expect(table).toContain(alpha);
    expect(table).toMatch(/\(all\)\s+2\s+0/);
  });

  it('never fails a backup because the catalog is missing, unwritable or damaged', async () => {
    const dir = await newDir();
    const nowhere = await cli([
      'backup',
      'single',
      alpha,
      '--backup-dir',
      dir,
      '--catalog',
      join(dir, 'no', 'such', 'c.sqlite'),
    ]);
    expect(nowhere.code, nowhere.stderr).toBe(0);
    expect(nowhere.stderr).toMatch(/warning: catalog '.*c\.sqlite' was not updated/);
    expect(nowhere.stderr).toContain('hint: ');

    const path = join(dir, '.dbbackup-catalog.sqlite');
    await fs.writeFile(path, 'garbage '.repeat(1000));
    const damaged = await cli(['backup', 'single', alpha, '--backup-dir', dir]);
    expect(damaged.code, damaged.stderr).toBe(0);
    expect(damaged.stderr).toContain('was not updated');

    await fs.rm(path);
    const list = jsonResult(await cli(['catalog', 'list', '--backup-dir', dir, '--json'])) as {
      backups: unknown[];
    };
    expect(list.backups).toHaveLength(2);
  });

  it('takes eight backups finishing at once, from eight processes, without loss', async () => {
    const shared = join(await newDir(), 'shared.sqlite');
    const targets = await Promise.all(many.map(() => newDir()));
    const results = await Promise.all(
      many.map((db, i) =>
        cli(['backup', 'single', db, '--backup-dir', targets[i]!, '--catalog', shared, '--json']),
      ),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    for (const result of results) expect(result.stderr).not.toContain('warning');

    const db = new Database(shared, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db
        .prepare('SELECT database, file, status FROM backups ORDER BY database')
        .all() as { database: string; file: string }[];
      expect(rows.map((r) => r.database)).toEqual([...many].sort());
      const files = results.map((r) => basename(String(jsonResult(r).file))).sort();
      expect(rows.map((r) => r.file).sort()).toEqual(files);
    } finally {
      db.close();
    }
  });
});
