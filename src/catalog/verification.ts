// How well a backup is proven: checksum checked, whole dump read or restored, or found corrupt.
import { ExitCode } from '../errors.js';
import type { EntryState, RetentionEntry } from '../plan/retention.js';
import type { BackupRecord, RunRecord } from './records.js';

/** What the runs against one backup have shown. */
export interface Verification {
  /** Its checksum was checked: after writing, or by any successful verify or restore. */
  checksum: boolean;
  /** The whole dump was read (`verify` without `--quick`) or restored successfully. */
  deep: boolean;
  /** The latest verify or restore of it failed with a data error (65). */
  corrupt: boolean;
  /** When the latest successful verify or restore ended, if any. */
  lastOkAt: string | null;
}

/** Groups runs by the file they read. */
export function runsByFile(runs: readonly RunRecord[]): Map<string, RunRecord[]> {
  const map = new Map<string, RunRecord[]>();
  for (const run of runs) map.set(run.file, [...(map.get(run.file) ?? []), run]);
  return map;
}

/** The verification of one backup from its runs (in any order). */
export function verificationOf(
  record: BackupRecord,
  runs: readonly RunRecord[] = [],
): Verification {
  const sorted = [...runs].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const ok = sorted.filter((r) => r.ok);
  const latest = sorted.at(-1);
  return {
    checksum: record.status === 'complete' && (record.verifiedAfterBackup || ok.length > 0),
    deep: ok.some((r) => r.depth !== 'quick'),
    corrupt: latest !== undefined && !latest.ok && latest.errorCode === ExitCode.data,
    lastOkAt: ok.at(-1)?.at ?? null,
  };
}

/** The history key of a backup: one database of one engine. */
export function groupOf(record: Pick<BackupRecord, 'engine' | 'database'>): string {
  return `${record.engine}:${record.database}`;
}

/** A catalog record as retention sees it. */
export function retentionEntryOf(record: BackupRecord, verification: Verification): RetentionEntry {
  const state: EntryState =
    record.status !== 'complete' ? record.status : verification.corrupt ? 'corrupt' : 'complete';
  return {
    id: record.id,
    group: groupOf(record),
    startedAt: new Date(record.startedAt),
    state,
    verified: state === 'complete' && verification.checksum,
  };
}
