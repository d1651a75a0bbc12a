// Reads the source of truth: every manifest in the backup directory and in its set directories,
// plus the run journal.
import { parseManifest } from '../manifest/manifest.js';
import { manifestNameFor } from '../plan/backup-name.js';
import type { StorageTarget } from '../storage/storage.js';
import { readJournal } from './journal.js';
import { recordFromManifest, type BackupRecord, type RunRecord } from './records.js';
import { collectSets } from './set-records.js';

/** Every backup and run the files and the journal know of. */
export interface History {
  backups: BackupRecord[];
  runs: RunRecord[];
  /** Manifests that could not be parsed, with the reason; they are not backups. */
  unreadable: { name: string; problem: string }[];
  /** Journal lines that could not be read. */
  skippedLines: number;
}

/** Records the catalog already holds that only the journal (not the files) can vouch for. */
export interface KnownRuns {
  failures: readonly BackupRecord[];
  runs: readonly RunRecord[];
}

const suffix = '.manifest.json';

/**
 * Collects the history. Backups come from the manifests only (sets from their set manifest,
 * or their plan and the member files that landed while unfinished); failed attempts and runs from
 * the journal and `known` together (so a lost journal or a lost catalog alone loses nothing),
 * minus what cleanup removed, and runs only while their backup's file still has a manifest.
 */
export async function collectHistory(
  storage: StorageTarget,
  journalPath: string,
  known: KnownRuns = { failures: [], runs: [] },
): Promise<History> {
  const names = await storage.list();
  const present = new Set(names);
  const backups: BackupRecord[] = [];
  const unreadable: History['unreadable'] = [];

  for (const name of names.filter((n) => n.endsWith(suffix)).sort()) {
    const dataName = name.slice(0, -suffix.length);
    try {
      const manifest = parseManifest(await storage.readSmall(name), name);
      const data = present.has(dataName) ? await storage.stat(dataName) : undefined;
      const problem =
        data === undefined
          ? 'data file missing'
          : data.size !== manifest.sizes.stored
            ? `data file is ${data.size} bytes, manifest says ${manifest.sizes.stored}`
            : undefined;
      // The manifest names its file; a renamed pair is listed under the name on disk.
      backups.push({
        ...recordFromManifest({ ...manifest, file: dataName }, problem),
        manifest: JSON.stringify(manifest),
      });
    } catch (error) {
      unreadable.push({ name, problem: (error as Error).message });
    }
  }

  const sets = await collectSets(storage.location);
  backups.push(...sets.backups);
  unreadable.push(...sets.unreadable);

  const journal = await readJournal(journalPath);
  const failures = unite(journal.failures, known.failures).filter(
    (r) => !journal.removed.has(r.id),
  );
  const files = new Set(backups.map((b) => b.file));
  const runs = unite(journal.runs, known.runs).filter((r) => files.has(r.file));
  return {
    backups: [...backups, ...failures].sort(byId),
    runs: runs.sort(byId),
    unreadable,
    skippedLines: journal.skipped,
  };
}

/** The manifest file of a backup record (undefined for a failed attempt). */
export function manifestFileOf(record: BackupRecord): string | undefined {
  return record.file === null ? undefined : manifestNameFor(record.file);
}

function unite<T extends { id: string }>(first: readonly T[], second: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const record of [...second, ...first]) byKey.set(record.id, record);
  return [...byKey.values()];
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
