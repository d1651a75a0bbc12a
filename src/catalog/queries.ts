// Reads from the catalog: backups by database and time, runs, one backup by name.
import { compileGlob } from '../plan/glob.js';
import type { Catalog } from './open.js';
import type { BackupRecord, RunRecord } from './records.js';
import { backupFromRow, runFromRow, type BackupRow, type RunRow } from './rows.js';

/** Which backups to read; every field narrows the result. */
export interface BackupFilter {
  /** A database name or a glob (`*`, `?`, `[...]`). */
  database?: string;
  since?: Date;
  until?: Date;
}

/** Backups matching the filter, newest first. */
export function findBackups(catalog: Catalog, filter: BackupFilter = {}): BackupRecord[] {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.since !== undefined) {
    where.push('started_at >= @since');
    params.since = filter.since.toISOString();
  }
  if (filter.until !== undefined) {
    where.push('started_at <= @until');
    params.until = filter.until.toISOString();
  }
  const sql = `SELECT * FROM backups ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY started_at DESC, id DESC`;
  const rows = catalog.db.prepare(sql).all(params) as BackupRow[];
  const matches = filter.database === undefined ? () => true : compileGlob(filter.database);
  return rows.map(backupFromRow).filter((r) => matches(r.database));
}

/** Every verify and restore run, oldest first. */
export function findRuns(catalog: Catalog): RunRecord[] {
  const rows = catalog.db.prepare('SELECT * FROM runs ORDER BY at, id').all() as RunRow[];
  return rows.map(runFromRow);
}

/** One backup by its data file name, manifest name or id; undefined when unknown. */
export function findBackup(catalog: Catalog, name: string): BackupRecord | undefined {
  const id = name.endsWith('.manifest.json') ? name.slice(0, -'.manifest.json'.length) : name;
  const row = catalog.db.prepare('SELECT * FROM backups WHERE id = ? OR file = ?').get(id, id) as
    BackupRow | undefined;
  return row === undefined ? undefined : backupFromRow(row);
}
