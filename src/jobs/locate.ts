// Finds a backup from what the user typed: the data file or its manifest.
import * as fs from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ExitCode, UserError, fileError } from '../errors.js';
import { parseManifest, type Manifest } from '../manifest/manifest.js';
import { manifestNameFor } from '../plan/backup-name.js';
import { LocalTarget } from '../storage/local/local-target.js';

/** A located backup: where it is and, when present, its manifest. */
export interface LocatedBackup {
  storage: LocalTarget;
  dataName: string;
  dataPath: string;
  size: number;
  manifest: Manifest | undefined;
}

const manifestSuffix = '.manifest.json';

/** Resolves a path to a backup; a missing file fails with 66. */
export async function locateBackup(path: string, backupDir: string): Promise<LocatedBackup> {
  let full = resolve(path);
  // A bare name is looked up in the backup directory, as `list backups` shows it.
  if (!path.includes('/') && !(await exists(full))) full = resolve(backupDir, path);
  if (full.endsWith(manifestSuffix)) full = full.slice(0, -manifestSuffix.length);

  const info = await fs.stat(full).catch((error: unknown) => {
    throw fileError('open backup', full, error);
  });
  if (!info.isFile()) {
    throw new UserError(`backup '${full}' is not a file`, {
      code: ExitCode.noInput,
      hint: 'Pass the backup data file or its .manifest.json, as `dbbackup list backups` shows.',
    });
  }

  const storage = new LocalTarget(dirname(full));
  const dataName = basename(full);
  const manifestText = await fs.readFile(`${full}${manifestSuffix}`, 'utf8').catch(() => undefined);
  const manifest =
    manifestText === undefined ? undefined : parseManifest(manifestText, manifestNameFor(full));
  return { storage, dataName, dataPath: full, size: info.size, manifest };
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}
