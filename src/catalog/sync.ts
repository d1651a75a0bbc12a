// Rebuilds or repairs the catalog from the manifests and the journal.
import type { StorageTarget } from '../storage/storage.js';
import { collectHistory, type History } from './history.js';
import type { Catalog } from './open.js';
import { findBackups, findRuns } from './queries.js';
import type { BackupRecord } from './records.js';
import { backupToRow } from './rows.js';
import { replaceAll } from './store.js';

/** What a sync changed. */
export interface SyncSummary {
  backups: number;
  failures: number;
  runs: number;
  added: string[];
  removed: string[];
  updated: string[];
  unreadable: History['unreadable'];
  skippedLines: number;
}

/**
 * Makes the catalog match the files: one row per manifest, the failed attempts and runs of
 * the journal and of the catalog itself (a repair keeps what only the catalog knew).
 */
export async function syncCatalog(
  catalog: Catalog,
  storage: StorageTarget,
  journalPath: string,
): Promise<SyncSummary> {
  const before = findBackups(catalog);
  const known = { failures: before.filter((b) => b.status === 'failed'), runs: findRuns(catalog) };
  const history = await collectHistory(storage, journalPath, known);
  replaceAll(catalog, history.backups, history.runs);

  const old = new Map(before.map((b) => [b.id, b]));
  const fresh = new Map(history.backups.map((b) => [b.id, b]));
  return {
    backups: history.backups.filter((b) => b.status !== 'failed').length,
    failures: history.backups.filter((b) => b.status === 'failed').length,
    runs: history.runs.length,
    added: [...fresh.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !fresh.has(id)),
    updated: [...fresh.values()].filter((b) => differs(old.get(b.id), b)).map((b) => b.id),
    unreadable: history.unreadable,
    skippedLines: history.skippedLines,
  };
}

function differs(a: BackupRecord | undefined, b: BackupRecord): boolean {
  return a !== undefined && JSON.stringify(backupToRow(a)) !== JSON.stringify(backupToRow(b));
}
