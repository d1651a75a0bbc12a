// Maps catalog records to SQLite rows and back.
import type { BackupRecord, BackupStatus, RunRecord } from './records.js';

/** A `backups` row as SQLite returns it. */
export interface BackupRow {
  id: string;
  kind: string;
  set_id: string | null;
  file: string | null;
  engine: string;
  database: string;
  host: string | null;
  status: string;
  started_at: string;
  finished_at: string | null;
  stored_bytes: number | null;
  dump_bytes: number | null;
  database_bytes: number | null;
  compression: string | null;
  checksum: string | null;
  encryption: string | null;
  verified_after_backup: number;
  error_code: number | null;
  error: string | null;
  manifest: string | null;
}

/** A `runs` row as SQLite returns it. */
export interface RunRow {
  id: string;
  file: string;
  action: string;
  depth: string;
  ok: number;
  at: string;
  duration_ms: number | null;
  target: string | null;
  error_code: number | null;
  error: string | null;
}

/** The column list of `backups`, in table order. */
export const backupColumns = [
  'id',
  'kind',
  'set_id',
  'file',
  'engine',
  'database',
  'host',
  'status',
  'started_at',
  'finished_at',
  'stored_bytes',
  'dump_bytes',
  'database_bytes',
  'compression',
  'checksum',
  'encryption',
  'verified_after_backup',
  'error_code',
  'error',
  'manifest',
] as const;

/** The column list of `runs`, in table order. */
export const runColumns = [
  'id',
  'file',
  'action',
  'depth',
  'ok',
  'at',
  'duration_ms',
  'target',
  'error_code',
  'error',
] as const;

/** A record as named parameters for an INSERT. */
export function backupToRow(r: BackupRecord): BackupRow {
  return {
    id: r.id,
    kind: r.kind,
    set_id: r.setId,
    file: r.file,
    engine: r.engine,
    database: r.database,
    host: r.host,
    status: r.status,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    stored_bytes: r.storedBytes,
    dump_bytes: r.dumpBytes,
    database_bytes: r.databaseBytes,
    compression: r.compression,
    checksum: r.checksum,
    encryption: r.encryption,
    verified_after_backup: r.verifiedAfterBackup ? 1 : 0,
    error_code: r.errorCode,
    error: r.error,
    manifest: r.manifest,
  };
}

/** A row as a record. */
export function backupFromRow(row: BackupRow): BackupRecord {
  return {
    id: row.id,
    kind: row.kind,
    setId: row.set_id,
    file: row.file,
    engine: row.engine,
    database: row.database,
    host: row.host,
    status: row.status as BackupStatus,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    storedBytes: row.stored_bytes,
    dumpBytes: row.dump_bytes,
    databaseBytes: row.database_bytes,
    compression: row.compression,
    checksum: row.checksum,
    encryption: row.encryption,
    verifiedAfterBackup: row.verified_after_backup === 1,
    errorCode: row.error_code,
    error: row.error,
    manifest: row.manifest,
  };
}

/** A run as named parameters for an INSERT. */
export function runToRow(r: RunRecord): RunRow {
  return {
    id: r.id,
    file: r.file,
    action: r.action,
    depth: r.depth,
    ok: r.ok ? 1 : 0,
    at: r.at,
    duration_ms: r.durationMs,
    target: r.target,
    error_code: r.errorCode,
    error: r.error,
  };
}

/** A runs row as a record. */
export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    file: row.file,
    action: row.action as RunRecord['action'],
    depth: row.depth as RunRecord['depth'],
    ok: row.ok === 1,
    at: row.at,
    durationMs: row.duration_ms,
    target: row.target,
    errorCode: row.error_code,
    error: row.error,
  };
}
