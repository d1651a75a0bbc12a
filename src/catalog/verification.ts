// How well a backup is proven: checksum checked, whole dump read or restored, or found corrupt.
import { ExitCode } from '../errors.js';
import type { EntryState, RetentionEntry } from '../plan/retention.js';
import { setKinds, type BackupRecord, type RunRecord } from './records.js';

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

/** Member records of each set, by set id. */
export function membersBySet(records: readonly BackupRecord[]): Map<string, BackupRecord[]> {
  const map = new Map<string, BackupRecord[]>();
  for (const r of records) {
    if (r.setId === null || r.kind === setKinds.set) continue;
    map.set(r.setId, [...(map.get(r.setId) ?? []), r]);
  }
  return map;
}

/**
 * The verification of any record. A set's is the weakest of its member files': checked when
 * every file was, deep when every database was read whole or restored, corrupt when any is.
 */
export function verificationIn(
  record: BackupRecord,
  runs: Map<string, RunRecord[]>,
  members: Map<string, BackupRecord[]>,
): Verification {
  if (record.kind !== setKinds.set) return verificationOf(record, runs.get(record.file ?? ''));
  const files = (members.get(record.id) ?? []).filter(
    (m) => m.file !== null && m.status === 'complete',
  );
  const each = files.map((m) => ({ kind: m.kind, v: verificationOf(m, runs.get(m.file ?? '')) }));
  const databases = each.filter((e) => e.kind === setKinds.member);
  const lastOk = each.map((e) => e.v.lastOkAt).filter((t): t is string => t !== null);
  return {
    checksum: record.status === 'complete' && each.length > 0 && each.every((e) => e.v.checksum),
    deep: databases.length > 0 && databases.every((e) => e.v.deep),
    corrupt: each.some((e) => e.v.corrupt),
    lastOkAt:
      lastOk.length === each.length && lastOk.length > 0 ? (lastOk.sort()[0] ?? null) : null,
  };
}

/** What {@link groupOf} needs of a record; without `kind` it is a single backup. */
export type GroupKey = Pick<BackupRecord, 'engine' | 'database'> &
  Partial<Pick<BackupRecord, 'kind' | 'host'>>;

/**
 * The history key of a record: one database of one engine (single backups and set members
 * alike), or one server's sets, or one server's globals. Engine names hold no `/`, so the
 * keys of sets never equal a database's.
 */
export function groupOf(record: GroupKey): string {
  const server = record.host ?? '(unknown server)';
  if (record.kind === setKinds.set) return `${record.engine}/cluster:${server}`;
  if (record.kind === setKinds.globals) return `${record.engine}/globals:${server}`;
  return `${record.engine}:${record.database}`;
}

/** How a record's history is named for people: the database, or the server of a set. */
export function subjectOf(record: GroupKey): string {
  const server = record.host ?? 'unknown server';
  if (record.kind === setKinds.set) return `(cluster ${server})`;
  if (record.kind === setKinds.globals) return `(globals ${server})`;
  return record.database;
}

/**
 * Gives a failed cluster run that never reached its server (so its server is unknown) the
 * server of the sets in the directory, when they all come from one server of that engine: the
 * usual layout, one backup directory per server. Otherwise it stays a history of its own.
 */
export function withKnownServers(records: readonly BackupRecord[]): BackupRecord[] {
  const servers = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.kind !== setKinds.set || r.file === null || r.host === null) continue;
    servers.set(r.engine, (servers.get(r.engine) ?? new Set()).add(r.host));
  }
  return records.map((r) => {
    if (r.kind !== setKinds.set || r.host !== null) return r;
    const known = servers.get(r.engine);
    const [only] = known ?? [];
    return known?.size === 1 && only !== undefined ? { ...r, host: only } : r;
  });
}

/** Whether retention decides on the record itself: single backups and whole sets, not members. */
export function isRetained(record: Pick<BackupRecord, 'kind'>): boolean {
  return record.kind === 'single' || record.kind === setKinds.set;
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
