import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { appendJournal, journalPathOf, readJournal } from '../../src/catalog/journal.js';
import { catalogFileName, openCatalog } from '../../src/catalog/open.js';
import { findBackups, findRuns } from '../../src/catalog/queries.js';
import {
  recordFromManifest,
  type BackupRecord,
  type RunRecord,
} from '../../src/catalog/records.js';
import { putBackups, putRuns } from '../../src/catalog/store.js';
import { syncCatalog } from '../../src/catalog/sync.js';
import { parseManifest } from '../../src/manifest/manifest.js';
import { LocalTarget } from '../../src/storage/local/local-target.js';
import { writeFakeBackup } from '../helpers/fake-backups.js';
import { testdir } from '../helpers/testdir.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function fresh(): Promise<string> {
  const dir = await testdir();
  dirs.push(dir);
  return dir;
}

function failure(id: string, database: string, startedAt: string): BackupRecord {
  return {
    id,
    kind: 'single',
    setId: null,
    file: null,
    engine: 'postgres',
    database,
    host: null,
    status: 'failed',
    startedAt,
    finishedAt: startedAt,
    storedBytes: null,
    dumpBytes: null,
    databaseBytes: null,
    compression: null,
    checksum: null,
    encryption: null,
    verifiedAfterBackup: false,
    errorCode: 69,
    error: "unable to reach 'db1'",
    manifest: null,
  };
}

function run(id: string, file: string, ok: boolean): RunRecord {
  return {
    id,
    file,
    action: 'verify',
    depth: 'full',
    ok,
    at: '2026-01-02T00:00:00.000Z',
    durationMs: 5,
    target: null,
    errorCode: ok ? null : 65,
    error: ok ? null : 'checksum mismatch',
  };
}

function dump(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return {
      backups: db.prepare('SELECT * FROM backups ORDER BY id').all(),
      runs: db.prepare('SELECT * FROM runs ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

describe('openCatalog()', () => {
  it('creates a private WAL catalog at the current schema version', async () => {
    const path = join(await fresh(), catalogFileName);
    const catalog = openCatalog(path);
    expect(catalog.created).toBe(true);
    expect(catalog.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(catalog.db.pragma('user_version', { simple: true })).toBe(1);
    expect(Number(catalog.db.pragma('busy_timeout', { simple: true }))).toBeGreaterThanOrEqual(
      10_000,
    );
    catalog.close();
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    const again = openCatalog(path);
    expect(again.created).toBe(false);
    again.close();
  });

  it('refuses a catalog written by a newer dbbackup (78)', async () => {
    const path = join(await fresh(), catalogFileName);
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openCatalog(path)).toThrow(expect.objectContaining({ code: 78 }));
  });

  it('reports a damaged catalog as a data error (65) with a hint to rebuild it', async () => {
    const path = join(await fresh(), catalogFileName);
    await fs.writeFile(
      path,
      'this is not a database, just some text that fills a page '.repeat(100),
    );
    let caught: unknown;
    try {
      openCatalog(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 65 });
    expect((caught as { hint: string }).hint).toContain('catalog sync');
  });
});

describe('syncCatalog()', () => {
  it('rebuilds from manifests and journal exactly what the live updates wrote', async () => {
    const dir = await fresh();
    const storage = new LocalTarget(dir);
    const journal = journalPathOf(dir);
    const live = openCatalog(join(dir, 'live.sqlite'));
    const a = await writeFakeBackup(dir, {
      database: 'a',
      startedAt: new Date('2026-01-01T02:00:00Z'),
    });
    const b = await writeFakeBackup(dir, {
      database: 'Sales Q1',
      startedAt: new Date('2026-01-02T02:00:00Z'),
      encryption: { format: 'age', recipients: [], passphrase: true },
    });
    for (const file of [a, b]) {
      const manifest = parseManifest(
        await fs.readFile(join(dir, `${file}.manifest.json`), 'utf8'),
        file,
      );
      putBackups(live, [recordFromManifest(manifest)]);
    }
    const failed = failure('failed-1', 'a', '2026-01-03T02:00:00.000Z');
    const verify = run('run-1', a, true);
    putBackups(live, [failed]);
    putRuns(live, [verify]);
    await appendJournal(journal, { v: 1, type: 'failed-backup', record: failed });
    await appendJournal(journal, { v: 1, type: 'run', record: verify });
    live.close();

    const rebuilt = openCatalog(join(dir, 'rebuilt.sqlite'));
    const summary = await syncCatalog(rebuilt, storage, journal);
    rebuilt.close();
    expect(summary).toMatchObject({ backups: 2, failures: 1, runs: 1, removed: [], updated: [] });
    expect(dump(join(dir, 'rebuilt.sqlite'))).toEqual(dump(join(dir, 'live.sqlite')));
  });

  it('drops backups whose manifest is gone, marks a missing data file incomplete, keeps catalog-only runs', async () => {
    const dir = await fresh();
    const storage = new LocalTarget(dir);
    const keep = await writeFakeBackup(dir, {
      database: 'a',
      startedAt: new Date('2026-01-01T02:00:00Z'),
    });
    const gone = await writeFakeBackup(dir, {
      database: 'a',
      startedAt: new Date('2026-01-02T02:00:00Z'),
    });
    const broken = await writeFakeBackup(dir, {
      database: 'a',
      startedAt: new Date('2026-01-03T02:00:00Z'),
    });
    const catalog = openCatalog(join(dir, catalogFileName));
    await syncCatalog(catalog, storage, journalPathOf(dir));
    putRuns(catalog, [run('run-only-in-catalog', keep, true), run('run-of-gone', gone, true)]);

    await fs.rm(join(dir, gone));
    await fs.rm(join(dir, `${gone}.manifest.json`));
    await fs.rm(join(dir, broken));
    const summary = await syncCatalog(catalog, storage, journalPathOf(dir));
    expect(summary.removed).toEqual([gone]);
    expect(summary.updated).toEqual([broken]);
    const rows = findBackups(catalog);
    expect(rows.map((r) => [r.id, r.status, r.error])).toEqual([
      [broken, 'incomplete', 'data file missing'],
      [keep, 'complete', null],
    ]);
    expect(findRuns(catalog).map((r) => r.id)).toEqual(['run-only-in-catalog']);
    catalog.close();
  });

  it('skips unreadable manifests and torn journal lines and says so', async () => {
    const dir = await fresh();
    await writeFakeBackup(dir, { database: 'a', startedAt: new Date('2026-01-01T02:00:00Z') });
    await fs.writeFile(join(dir, 'junk.pgdump.manifest.json'), '{ not json');
    await appendJournal(journalPathOf(dir), {
      v: 1,
      type: 'failed-backup',
      record: failure('failed-2', 'a', '2026-01-05T00:00:00.000Z'),
    });
    await fs.appendFile(journalPathOf(dir), '{"v":1,"type":"run","rec');
    const catalog = openCatalog(join(dir, catalogFileName));
    const summary = await syncCatalog(catalog, new LocalTarget(dir), journalPathOf(dir));
    catalog.close();
    expect(summary.unreadable.map((u) => u.name)).toEqual(['junk.pgdump.manifest.json']);
    expect(summary.skippedLines).toBe(1);
    expect(summary).toMatchObject({ backups: 1, failures: 1 });
  });

  it('does not bring back failed attempts that cleanup removed', async () => {
    const dir = await fresh();
    const journal = journalPathOf(dir);
    await appendJournal(journal, {
      v: 1,
      type: 'failed-backup',
      record: failure('failed-3', 'a', '2026-01-05T00:00:00.000Z'),
    });
    await appendJournal(journal, {
      v: 1,
      type: 'removed',
      at: '2026-01-06T00:00:00.000Z',
      ids: ['failed-3'],
    });
    expect((await readJournal(journal)).removed.has('failed-3')).toBe(true);
    const catalog = openCatalog(join(dir, catalogFileName));
    const summary = await syncCatalog(catalog, new LocalTarget(dir), journal);
    catalog.close();
    expect(summary.failures).toBe(0);
  });
});
