import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendJournal, journalPathOf } from '../../src/catalog/journal.js';
import { catalogFileName, openCatalog } from '../../src/catalog/open.js';
import { findBackups } from '../../src/catalog/queries.js';
import { setKinds, type BackupRecord } from '../../src/catalog/records.js';
import { collectSets } from '../../src/catalog/set-records.js';
import { syncCatalog } from '../../src/catalog/sync.js';
import type { AppEvent } from '../../src/events/events.js';
import { runCleanup } from '../../src/jobs/cleanup.js';
import { removeSet } from '../../src/jobs/remove-set.js';
import { planRetention, type RetentionEntry } from '../../src/plan/retention.js';
import type { RetentionPolicy } from '../../src/plan/retention.js';
import { LocalTarget } from '../../src/storage/local/local-target.js';
import { writeFakeBackup } from '../helpers/fake-backups.js';
import { writeFakeSet, type FakeSetState } from '../helpers/fake-sets.js';
import { testdir } from '../helpers/testdir.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function newDir(): Promise<string> {
  const dir = await testdir();
  dirs.push(dir);
  return dir;
}

const now = new Date('2026-03-15T12:00:00Z');
const march = (day: number) => new Date(Date.UTC(2026, 2, day, 2));

describe('planRetention() with a server of sets', () => {
  const group = 'postgres/cluster:h';
  const entry = (day: number, state: RetentionEntry['state'], resumable = false) => ({
    id: `set-${day}`,
    group,
    startedAt: march(day),
    state,
    verified: state === 'complete',
    ...(resumable ? { resumable } : {}),
  });

  it('keeps the resumable newest set even when a failed attempt came after it', () => {
    const entries = [entry(10, 'complete'), entry(12, 'incomplete', true), entry(13, 'failed')];
    const decisions = planRetention({ entries, policy: { keepLast: 1 }, now });
    const kept = decisions.filter((d) => d.keep).map((d) => d.entry.id);
    expect(kept.sort()).toEqual(['set-10', 'set-12', 'set-13']);
    const resumable = decisions.find((d) => d.entry.id === 'set-12');
    expect(resumable?.reasons).toContain('newest set of its server: --resume continues it');
  });
});

interface SetCase {
  name: string;
  /** Day of March and state of each set, oldest first. */
  sets: [number, FakeSetState][];
  policy: RetentionPolicy;
  kept: number[];
}

const cases: SetCase[] = [
  {
    name: 'an incomplete set older than the newest complete one goes first',
    sets: [
      [1, 'complete'],
      [2, 'incomplete'],
      [3, 'complete'],
    ],
    policy: { keepLast: 5 },
    kept: [1, 3],
  },
  {
    name: 'the newest set stays while --resume could continue it, the newest complete one too',
    sets: [
      [1, 'complete'],
      [2, 'incomplete'],
      [3, 'complete'],
      [4, 'unfinished'],
    ],
    policy: { keepLast: 1 },
    kept: [3, 4],
  },
  {
    name: 'an incomplete newest set is resumable and stays beside the newest complete one',
    sets: [
      [1, 'complete'],
      [2, 'complete'],
      [3, 'incomplete'],
    ],
    policy: { keepLast: 1 },
    kept: [2, 3],
  },
  {
    name: 'without a complete set nothing is deleted',
    sets: [
      [1, 'incomplete'],
      [2, 'unfinished'],
      [3, 'incomplete'],
    ],
    policy: { keepLast: 1 },
    kept: [1, 2, 3],
  },
  {
    name: 'a set with a member file cut short is incomplete and takes no slot',
    sets: [
      [1, 'complete'],
      [2, 'truncated'],
      [3, 'complete'],
    ],
    policy: { keepLast: 2 },
    kept: [1, 3],
  },
  {
    name: 'gfs keeps one complete set per period; incomplete days keep nothing',
    sets: [
      ...Array.from({ length: 12 }, (_, i): [number, FakeSetState] => [i + 1, 'complete']),
      [13, 'incomplete'],
      [14, 'unfinished'],
    ],
    // 2026-03-15 is a Sunday: this week is 9–15 March, the one before 2–8 March.
    policy: { gfs: { daily: 3, weekly: 2, monthly: 0, yearly: 0 } },
    kept: [8, 12, 13, 14],
  },
];

async function cleanupOf(dir: string, policy: RetentionPolicy, extra: object = {}) {
  const events: AppEvent[] = [];
  const result = await runCleanup({
    storage: new LocalTarget(dir),
    catalogPath: join(dir, catalogFileName),
    journalPath: journalPathOf(dir),
    policy,
    now,
    dryRun: false,
    emit: (e) => events.push(e),
    ...extra,
  });
  return { result, events };
}

describe('runCleanup() on sets', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const dir = await newDir();
      const names = new Map<number, string>();
      for (const [day, state] of c.sets) {
        names.set(day, await writeFakeSet(dir, { startedAt: march(day), state }));
      }
      await cleanupOf(dir, c.policy);

      const left = (await fs.readdir(dir)).filter((n) => n.startsWith('cluster_')).sort();
      expect(left).toEqual(c.kept.map((day) => names.get(day)).sort());
    });
  }

  it('deletes a set whole and drops it with its members from the catalog', async () => {
    const dir = await newDir();
    const old = await writeFakeSet(dir, { startedAt: march(1) });
    const fresh = await writeFakeSet(dir, { startedAt: march(2) });
    const catalog = openCatalog(join(dir, catalogFileName));
    await syncCatalog(catalog, new LocalTarget(dir), journalPathOf(dir));
    expect(findBackups(catalog).filter((r) => r.setId === old)).toHaveLength(4);

    const { result } = await cleanupOf(dir, { keepLast: 1 });
    expect(result.removed).toEqual([old]);
    expect(await fs.readdir(dir)).not.toContain(old);
    const rows = findBackups(catalog);
    expect(rows.filter((r) => r.setId === old)).toEqual([]);
    expect(rows.filter((r) => r.setId === fresh)).toHaveLength(4);
    catalog.close();
  });

  it('applies the policy to each server and each database on its own', async () => {
    const dir = await newDir();
    const a = [1, 2, 3].map((day) => writeFakeSet(dir, { startedAt: march(day), host: 'a:5432' }));
    const b = [1, 2].map((day) => writeFakeSet(dir, { startedAt: march(day), host: 'b:5432' }));
    const [a1, a2, a3] = await Promise.all(a);
    const [b1, b2] = await Promise.all(b);
    const s1 = await writeFakeBackup(dir, { database: 'app', startedAt: march(1) });
    const s2 = await writeFakeBackup(dir, { database: 'app', startedAt: march(2) });

    const { result } = await cleanupOf(dir, { keepLast: 1 });
    expect(result.removed.sort()).toEqual([a1, a2, b1, s1].sort());
    const left = await fs.readdir(dir);
    for (const name of [a3, b2, s2]) expect(left).toContain(name);
  });

  it('leaves sets alone when --database narrows the cleanup to databases', async () => {
    const dir = await newDir();
    const sets = [await writeFakeSet(dir, { startedAt: march(1) })];
    sets.push(await writeFakeSet(dir, { startedAt: march(2) }));
    const { result } = await cleanupOf(dir, { keepLast: 1 }, { databaseGlob: '*' });
    expect(result.decisions).toEqual([]);
    expect((await fs.readdir(dir)).filter((n) => n.startsWith('cluster_')).sort()).toEqual(
      sets.sort(),
    );
  });
});

/** A `backup cluster` run that failed before it reached any server, as the journal keeps it. */
function unreachableRun(day: number): BackupRecord {
  return {
    id: `failed-${day}`,
    kind: setKinds.set,
    setId: null,
    file: null,
    engine: 'postgres',
    database: '',
    host: null,
    status: 'failed',
    startedAt: march(day).toISOString(),
    finishedAt: march(day).toISOString(),
    storedBytes: null,
    dumpBytes: null,
    databaseBytes: null,
    compression: null,
    checksum: null,
    encryption: null,
    verifiedAfterBackup: false,
    errorCode: 69,
    error: 'unable to connect',
    manifest: null,
  };
}

describe('runCleanup() on failed runs that never reached their server', () => {
  it('counts them with the one server whose sets the directory holds', async () => {
    const dir = await newDir();
    await appendJournal(journalPathOf(dir), {
      v: 1,
      type: 'failed-backup',
      record: unreachableRun(1),
    });
    await writeFakeSet(dir, { startedAt: march(2) });
    const { result } = await cleanupOf(dir, { keepLast: 1 });
    expect(result.removed).toEqual(['failed-1']);
  });

  it('leaves them alone when sets of two servers share the directory', async () => {
    const dir = await newDir();
    await appendJournal(journalPathOf(dir), {
      v: 1,
      type: 'failed-backup',
      record: unreachableRun(1),
    });
    await writeFakeSet(dir, { startedAt: march(2), host: 'a:5432' });
    await writeFakeSet(dir, { startedAt: march(2), host: 'b:5432' });
    const { result } = await cleanupOf(dir, { keepLast: 1 });
    expect(result.removed).toEqual([]);
    const attempt = result.decisions.find((d) => d.record.id === 'failed-1');
    expect(attempt?.reasons).toContain('no successful backup yet');
  });
});

describe('runCleanup() on a set found corrupt', () => {
  it('gives the slot to the complete set before it, and keeps the corrupt one while newest', async () => {
    const dir = await newDir();
    const older = await writeFakeSet(dir, { startedAt: march(1) });
    const oldest = await writeFakeSet(dir, { startedAt: march(0) });
    const newest = await writeFakeSet(dir, { startedAt: march(2) });
    const member = (await fs.readdir(join(dir, newest))).find((f) => f.startsWith('sales_'));
    const run = {
      id: 'run-1',
      file: `${newest}/${(member ?? '').replace('.manifest.json', '')}`,
      action: 'verify' as const,
      depth: 'full' as const,
      ok: false,
      at: march(3).toISOString(),
      durationMs: 10,
      target: null,
      errorCode: 65,
      error: 'does not match its checksum',
    };
    await appendJournal(journalPathOf(dir), { v: 1, type: 'run', record: run });

    const { result } = await cleanupOf(dir, { keepLast: 1 });
    const verdict = (id: string) => result.decisions.find((d) => d.entry.id === id);
    expect(verdict(newest)).toMatchObject({ keep: true, entry: { state: 'corrupt' } });
    expect(verdict(older)?.reasons).toContain('newest successful backup');
    expect(result.removed).toEqual([oldest]);
  });
});

describe('collectSets()', () => {
  it('lists a set, its globals and databases, and a failed member with its reason', async () => {
    const dir = await newDir();
    const name = await writeFakeSet(dir, { startedAt: march(1), state: 'incomplete' });
    const { backups } = await collectSets(dir);
    const set = backups.find((r) => r.kind === setKinds.set);
    expect(set).toMatchObject({ id: name, status: 'incomplete', host: '127.0.0.1:5432' });
    expect(set?.error).toMatch(/'app' failed: permission denied/);
    const members = backups.filter((r) => r.kind !== setKinds.set);
    expect(members.map((m) => [m.kind, m.database, m.status]).sort()).toEqual(
      [
        [setKinds.globals, '', 'complete'],
        [setKinds.member, 'app', 'failed'],
        [setKinds.member, 'sales', 'complete'],
      ].sort(),
    );
    const sales = members.find((m) => m.database === 'sales');
    expect(sales?.file).toMatch(new RegExp(`^${name}/sales_`));
    expect(set?.storedBytes).toBe(
      members.reduce((n, m) => n + (m.status === 'complete' ? (m.storedBytes ?? 0) : 0), 0),
    );
  });

  it('lists an unfinished set with the members that landed and says how to finish it', async () => {
    const dir = await newDir();
    await writeFakeSet(dir, { startedAt: march(1), state: 'unfinished' });
    const { backups } = await collectSets(dir);
    const set = backups.find((r) => r.kind === setKinds.set);
    expect(set?.status).toBe('incomplete');
    expect(set?.error).toMatch(/unfinished: .*--resume/);
    expect(backups.filter((r) => r.kind === setKinds.member).map((r) => r.database)).toEqual([
      'app',
      'sales',
    ]);
  });

  it('skips a directory named like a set that holds no plan or manifest', async () => {
    const dir = await testdir({ 'cluster_x_20260301T020000Z/notes.txt': 'mine' });
    dirs.push(dir);
    expect(await collectSets(dir)).toEqual({ backups: [], unreadable: [] });
  });

  it('reports a set whose manifest is unreadable instead of listing it', async () => {
    const dir = await newDir();
    const name = await writeFakeSet(dir, { startedAt: march(1) });
    await fs.writeFile(join(dir, name, 'set.manifest.json'), '{ torn');
    const found = await collectSets(dir);
    expect(found.backups).toEqual([]);
    expect(found.unreadable[0]?.name).toBe(name);
  });
});

describe('removeSet()', () => {
  it('keeps a file it did not write, and the directory with it', async () => {
    const dir = await newDir();
    const name = await writeFakeSet(dir, { startedAt: march(1) });
    await fs.writeFile(join(dir, name, 'notes.txt'), 'the operator put this here');
    const { leftOver } = await removeSet(dir, name);
    expect(leftOver).toEqual(['notes.txt']);
    expect(await fs.readdir(join(dir, name))).toEqual(['notes.txt']);
  });

  it('refuses a name that is not a set directory', async () => {
    const dir = await newDir();
    await expect(removeSet(dir, '../elsewhere')).rejects.toThrow(/not a set directory/);
    await expect(removeSet(dir, 'cluster_a/../../x')).rejects.toThrow(/not a set directory/);
  });
});
