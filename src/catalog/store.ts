// Writes to the catalog; each call is one short IMMEDIATE transaction, safe across processes.
import type { Catalog } from './open.js';
import type { BackupRecord, RunRecord } from './records.js';
import { backupColumns, backupToRow, runColumns, runToRow } from './rows.js';

const insertBackup = `INSERT OR REPLACE INTO backups (${backupColumns.join(', ')})
  VALUES (${backupColumns.map((c) => `@${c}`).join(', ')})`;
const insertRun = `INSERT OR REPLACE INTO runs (${runColumns.join(', ')})
  VALUES (${runColumns.map((c) => `@${c}`).join(', ')})`;

/** Adds or replaces backups (by id). */
export function putBackups(catalog: Catalog, records: readonly BackupRecord[]): void {
  const statement = catalog.db.prepare(insertBackup);
  catalog.db
    .transaction(() => {
      for (const record of records) statement.run(backupToRow(record));
    })
    .immediate();
}

/** Adds or replaces verify/restore runs (by id). */
export function putRuns(catalog: Catalog, records: readonly RunRecord[]): void {
  const statement = catalog.db.prepare(insertRun);
  catalog.db
    .transaction(() => {
      for (const record of records) statement.run(runToRow(record));
    })
    .immediate();
}

/** Replaces the rows of one set (its own and its members') with `records`. */
export function putSet(catalog: Catalog, setId: string, records: readonly BackupRecord[]): void {
  const statement = catalog.db.prepare(insertBackup);
  const drop = catalog.db.prepare('DELETE FROM backups WHERE set_id = ?');
  catalog.db
    .transaction(() => {
      drop.run(setId);
      for (const record of records) statement.run(backupToRow(record));
    })
    .immediate();
}

/** Removes backups (a set with its members) and the runs against their files. */
export function removeBackups(catalog: Catalog, ids: readonly string[]): void {
  const files = catalog.db.prepare('SELECT file FROM backups WHERE id = ? OR set_id = ?').pluck();
  const dropBackup = catalog.db.prepare('DELETE FROM backups WHERE id = ? OR set_id = ?');
  const dropRuns = catalog.db.prepare('DELETE FROM runs WHERE file = ?');
  catalog.db
    .transaction(() => {
      for (const id of ids) {
        for (const file of files.all(id, id) as (string | null)[]) {
          if (typeof file === 'string') dropRuns.run(file);
        }
        dropBackup.run(id, id);
      }
    })
    .immediate();
}

/** Replaces the whole content in one transaction: readers see the old or the new, never half. */
export function replaceAll(
  catalog: Catalog,
  backups: readonly BackupRecord[],
  runs: readonly RunRecord[],
): void {
  const putBackup = catalog.db.prepare(insertBackup);
  const putRun = catalog.db.prepare(insertRun);
  catalog.db
    .transaction(() => {
      catalog.db.exec('DELETE FROM runs; DELETE FROM backups;');
      for (const record of backups) putBackup.run(backupToRow(record));
      for (const record of runs) putRun.run(runToRow(record));
    })
    .immediate();
}
