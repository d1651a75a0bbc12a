// Helpers for catalog and retention tests: back-date a real backup, read a catalog whole.
import * as fs from 'node:fs/promises';
import Database from 'better-sqlite3';
import type { Manifest } from '../../src/manifest/manifest.js';

/**
 * Rewrites a real backup's manifest to say it started at `startedAt`. The data file and its
 * checksum are untouched, so the backup still verifies and restores; only its age changes.
 */
export async function backdate(file: string, startedAt: Date): Promise<void> {
  const path = `${file}.manifest.json`;
  const manifest = JSON.parse(await fs.readFile(path, 'utf8')) as Manifest;
  manifest.startedAt = startedAt.toISOString();
  manifest.finishedAt = new Date(startedAt.getTime() + 1000).toISOString();
  await fs.writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Every row of a catalog's tables, ordered, for comparing two catalogs. */
export function readCatalog(path: string): { backups: unknown[]; runs: unknown[] } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      backups: db.prepare('SELECT * FROM backups ORDER BY id').all(),
      runs: db.prepare('SELECT * FROM runs ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

/** The names in a directory that belong to backups (data files and manifests), sorted. */
export async function backupFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((name) => !name.startsWith('.dbbackup-')).sort();
}
