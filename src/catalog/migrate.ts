// Brings a catalog's schema up to date, one numbered step at a time, under a write lock.
import type Database from 'better-sqlite3';
import { ExitCode, UserError } from '../errors.js';
import { migrations } from './migrations/index.js';

/** The schema version this build writes. */
export const schemaVersion = migrations.at(-1)?.version ?? 0;

/**
 * Applies the missing steps. BEGIN IMMEDIATE takes the write lock first, so of several
 * processes opening a new catalog at once exactly one migrates and the others then see it done.
 * A catalog from a newer dbbackup is refused rather than written with an older schema.
 */
export function migrate(db: Database.Database, path: string): void {
  const current = () => Number(db.pragma('user_version', { simple: true }));
  if (current() === schemaVersion) return;

  db.exec('BEGIN IMMEDIATE');
  try {
    const found = current();
    if (found > schemaVersion) {
      throw new UserError(
        `catalog '${path}' has schema version ${found}, newer than this dbbackup (${schemaVersion})`,
        {
          code: ExitCode.config,
          hint: 'Upgrade dbbackup, or use another catalog with --catalog.',
        },
      );
    }
    for (const step of migrations) {
      if (step.version <= found) continue;
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
