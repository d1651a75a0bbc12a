// Applies a retention policy to a backup directory: plan from the manifests, then delete the
// data file and then the manifest of each backup the plan removes (a set as a whole), and
// update the catalog.
import { collectHistory } from '../catalog/history.js';
import { appendJournal } from '../catalog/journal.js';
import { openCatalog, type Catalog } from '../catalog/open.js';
import type { BackupRecord } from '../catalog/records.js';
import { removeBackups } from '../catalog/store.js';
import { syncCatalog } from '../catalog/sync.js';
import { setKinds } from '../catalog/records.js';
import {
  groupOf,
  isRetained,
  membersBySet,
  retentionEntryOf,
  runsByFile,
  verificationIn,
  withKnownServers,
} from '../catalog/verification.js';
import { UserError, fileError, isUserError } from '../errors.js';
import type { Emit } from '../events/events.js';
import { manifestNameFor } from '../plan/backup-name.js';
import { compileGlob } from '../plan/glob.js';
import { planRetention, type RetentionDecision, type RetentionPolicy } from '../plan/retention.js';
import type { RetentionEntry } from '../plan/retention.js';
import type { StorageTarget } from '../storage/storage.js';
import { removeSet } from './remove-set.js';

/** Inputs of {@link runCleanup}. */
export interface CleanupInput {
  storage: StorageTarget;
  catalogPath: string;
  journalPath: string;
  policy: RetentionPolicy;
  /** Only single backups of databases whose name matches this glob (no sets). */
  databaseGlob?: string;
  /** Only this one history (see groupOf), as after a backup. */
  group?: string;
  now: Date;
  dryRun: boolean;
  emit: Emit;
}

/** One verdict with the backup it is about. */
export interface CleanupDecision extends RetentionDecision {
  record: BackupRecord;
}

/** What cleanup decided and did. */
export interface CleanupResult {
  decisions: CleanupDecision[];
  /** Ids removed (none on a dry run). */
  removed: string[];
}

/** Plans and (unless a dry run) applies the policy. */
export async function runCleanup(input: CleanupInput): Promise<CleanupResult> {
  const { storage, policy, now } = input;
  const catalog = openOrWarn(input);
  try {
    // The plan is made from the files as they are now; the catalog is brought in line first.
    if (catalog !== undefined) await syncCatalog(catalog, storage, input.journalPath);
    const history = await collectHistory(storage, input.journalPath);
    const matches = input.databaseGlob === undefined ? () => true : compileGlob(input.databaseGlob);
    const records = withKnownServers(history.backups).filter(
      (r) =>
        isRetained(r) &&
        (input.databaseGlob === undefined || (r.kind === 'single' && matches(r.database))) &&
        (input.group === undefined || groupOf(r) === input.group),
    );

    const runs = runsByFile(history.runs);
    const members = membersBySet(history.backups);
    const byId = new Map(records.map((r) => [r.id, r]));
    const entries = markResumable(
      records,
      records.map((r) => retentionEntryOf(r, verificationIn(r, runs, members))),
    );
    const decisions = planRetention({ entries, policy, now }).map((d) => ({
      ...d,
      record: byId.get(d.entry.id) as BackupRecord,
    }));
    if (input.dryRun) return { decisions, removed: [] };

    const removed = await removeFiles(
      input,
      decisions.filter((d) => !d.keep),
    );
    if (removed.length > 0) await forget(input, catalog, removed);
    return { decisions, removed };
  } finally {
    catalog?.close();
  }
}

// The newest set of each server is what `backup cluster --resume` continues while unfinished.
function markResumable(records: BackupRecord[], entries: RetentionEntry[]): RetentionEntry[] {
  const newest = new Map<string, BackupRecord>();
  for (const r of records) {
    if (r.kind !== setKinds.set || r.file === null) continue;
    const seen = newest.get(groupOf(r));
    if (seen === undefined || seen.startedAt < r.startedAt) newest.set(groupOf(r), r);
  }
  const resumable = new Set(
    [...newest.values()].filter((r) => r.status !== 'complete').map((r) => r.id),
  );
  return entries.map((e) => (resumable.has(e.id) ? { ...e, resumable: true } : e));
}

async function removeFiles(input: CleanupInput, doomed: CleanupDecision[]): Promise<string[]> {
  const { storage } = input;
  const removed: string[] = [];
  const failures: Error[] = [];
  for (const { record } of doomed) {
    try {
      if (record.kind === setKinds.set && record.file !== null) {
        const { leftOver } = await removeSet(storage.location, record.file);
        if (leftOver.length > 0) {
          input.emit({
            kind: 'warning',
            text: `set '${record.file}' was deleted but its directory stays: it holds files dbbackup did not make (${leftOver.join(', ')})`,
          });
        }
      } else if (record.file !== null) await removeBackupFiles(storage, record.file);
      removed.push(record.id);
    } catch (error) {
      failures.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  const first = failures[0];
  if (first !== undefined) {
    throw isUserError(first)
      ? new UserError(`${failures.length} backup(s) could not be deleted: ${first.message}`, {
          code: first.code,
          hint: first.hint,
          cause: first,
        })
      : first;
  }
  return removed;
}

/** Deletes a backup the tool made: data first, then its manifest; other files are left alone. */
export async function removeBackupFiles(storage: StorageTarget, file: string): Promise<void> {
  const manifest = manifestNameFor(file);
  // Only a pair the tool made: a manifest beside it, and never one of the tool's own files.
  if (file.startsWith('.dbbackup-') || (await storage.stat(manifest)) === undefined) return;
  try {
    // Data first: an interruption leaves a manifest without data (found and removed by the
    // next cleanup), never data without a manifest (which cleanup must not touch).
    await storage.remove(file);
    await storage.remove(manifest);
  } catch (error) {
    throw fileError('delete backup', file, error);
  }
}

/** What {@link forget} needs of the run. */
export type ForgetInput = Pick<CleanupInput, 'journalPath' | 'now' | 'emit'>;

/** Records deleted backups in the journal and the catalog; a failure is only a warning. */
export async function forget(input: ForgetInput, catalog: Catalog | undefined, ids: string[]) {
  try {
    const entry = { v: 1 as const, type: 'removed' as const, at: input.now.toISOString(), ids };
    await appendJournal(input.journalPath, entry);
    if (catalog !== undefined) removeBackups(catalog, ids);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    input.emit({ kind: 'warning', text: `deleted backups are still listed: ${why}` });
  }
}

/** Opens the catalog, or warns and goes on without it. */
export function openOrWarn(input: Pick<CleanupInput, 'catalogPath' | 'emit'>): Catalog | undefined {
  try {
    return openCatalog(input.catalogPath);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    input.emit({ kind: 'warning', text: `catalog '${input.catalogPath}' is not used: ${why}` });
    return undefined;
  }
}
