import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalPathOf } from '../../src/catalog/journal.js';
import { catalogFileName, openCatalog } from '../../src/catalog/open.js';
import { findBackups } from '../../src/catalog/queries.js';
import type { AppEvent } from '../../src/events/events.js';
import { runCleanup } from '../../src/jobs/cleanup.js';
import { LocalTarget } from '../../src/storage/local/local-target.js';
import { writeFakeBackup } from '../helpers/fake-backups.js';
import { testdir } from '../helpers/testdir.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

const now = new Date('2026-03-15T12:00:00Z');
const at = (day: number) => new Date(Date.UTC(2026, 2, day, 2));

async function setup() {
  const dir = await testdir({
    'notes.txt': 'not a backup',
    'orphan.pgdump.zst': 'data without a manifest',
  });
  dirs.push(dir);
  const files = [];
  for (const day of [10, 11, 12, 13])
    files.push(await writeFakeBackup(dir, { database: 'app', startedAt: at(day) }));
  const events: AppEvent[] = [];
  const input = {
    storage: new LocalTarget(dir),
    catalogPath: join(dir, catalogFileName),
    journalPath: journalPathOf(dir),
    policy: { keepLast: 1 },
    now,
    dryRun: false,
    emit: (e: AppEvent) => events.push(e),
  };
  return { dir, files, input, events };
}

describe('runCleanup()', () => {
  it('deletes data and manifest of what the policy drops, and nothing it did not make', async () => {
    const { dir, files, input } = await setup();
    // An incomplete backup (its data file is gone) older than the newest success goes too.
    await fs.rm(join(dir, files[0]!));

    const result = await runCleanup(input);
    expect(result.removed.sort()).toEqual(files.slice(0, 3).sort());
    const left = (await fs.readdir(dir)).filter((n) => !n.startsWith('.dbbackup-')).sort();
    expect(left).toEqual(
      [files[3], `${files[3]}.manifest.json`, 'notes.txt', 'orphan.pgdump.zst'].sort(),
    );

    const catalog = openCatalog(input.catalogPath);
    expect(findBackups(catalog).map((r) => r.id)).toEqual([files[3]]);
    catalog.close();
  });

  it('deletes nothing on a dry run and plans the same', async () => {
    const { dir, files, input } = await setup();
    const listing = async () => (await fs.readdir(dir)).filter((n) => !n.startsWith('.dbbackup-'));
    const before = await listing();
    const dry = await runCleanup({ ...input, dryRun: true });
    expect(await listing()).toEqual(before);
    expect(dry.removed).toEqual([]);
    expect(
      dry.decisions
        .filter((d) => !d.keep)
        .map((d) => d.entry.id)
        .sort(),
    ).toEqual(files.slice(0, 3).sort());
  });

  it('works without a usable catalog, with a warning', async () => {
    const { files, input, events } = await setup();
    const result = await runCleanup({ ...input, catalogPath: '/nonexistent/dir/catalog.sqlite' });
    expect(result.removed).toHaveLength(3);
    expect(result.decisions.find((d) => d.keep)?.entry.id).toBe(files[3]);
    expect(events.some((e) => e.kind === 'warning' && e.text.includes('is not used'))).toBe(true);
  });
});
