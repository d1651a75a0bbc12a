// Deletes one backup set directory: only the files dbbackup writes there, then the directory.
import * as fs from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileError } from '../errors.js';
import { setFiles } from '../manifest/set-manifest.js';
import { setPrefix } from './cluster/set-store.js';

/** What deleting a set left behind (files dbbackup did not make), if anything. */
export interface RemovedSet {
  leftOver: string[];
}

const manifestSuffix = '.manifest.json';

/**
 * Deletes the set `name` inside `backupDir`: every data file that has a member manifest
 * beside it, then the member manifests, the set manifest, restore journals and dbbackup's own
 * dot files (temporary files, an old catalog or journal), and the plan last, so an interruption leaves a set that reads as incomplete (and is
 * deleted by the next cleanup), never member data without its manifest. A file dbbackup did
 * not make stays, and so does the directory then.
 */
export async function removeSet(backupDir: string, name: string): Promise<RemovedSet> {
  if (!name.startsWith(setPrefix) || basename(name) !== name) {
    throw new Error(`refusing to delete '${name}': not a set directory name`);
  }
  const path = join(backupDir, name);
  const entries = await fs.readdir(path, { withFileTypes: true }).catch((error: unknown) => {
    throw fileError('list set directory', path, error);
  });
  const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  const manifests = [...files].filter((f) => f.endsWith(manifestSuffix) && f !== setFiles.manifest);
  const data = manifests.map((m) => m.slice(0, -manifestSuffix.length)).filter((d) => files.has(d));
  const journals = [...files].filter(
    (f) => f.startsWith('restore-journal_') && f.endsWith('.json'),
  );
  // Temporary files, and a catalog or journal that older versions wrote beside member runs.
  const temporary = [...files].filter((f) => f.startsWith('.dbbackup-'));
  const order = [...data, ...manifests, setFiles.manifest, ...journals, ...temporary];

  try {
    for (const file of order) await fs.rm(join(path, file), { force: true });
    await fs.rm(join(path, setFiles.plan), { force: true });
  } catch (error) {
    throw fileError('delete backup set', path, error);
  }
  const mine = new Set([...order, setFiles.plan]);
  const leftOver = entries.map((e) => e.name).filter((n) => !mine.has(n));
  if (leftOver.length === 0) {
    await fs.rmdir(path).catch((error: unknown) => {
      throw fileError('delete backup set', path, error);
    });
  }
  return { leftOver };
}
