// Deletes one backup on request, as cleanup deletes those its policy removes.
import { ExitCode, UserError } from '../errors.js';
import type { Emit } from '../events/events.js';
import { manifestNameFor } from '../plan/backup-name.js';
import type { StorageTarget } from '../storage/storage.js';
import { forget, openOrWarn, removeBackupFiles } from './cleanup.js';

/** Inputs of {@link deleteBackup}. */
export interface DeleteBackupInput {
  storage: StorageTarget;
  catalogPath: string;
  journalPath: string;
  /** The data file's name in the storage (the catalog's id of the backup). */
  file: string;
  now: Date;
  emit: Emit;
}

/** Deletes the data file, then the manifest, then the catalog row; refuses a file without one. */
export async function deleteBackup(input: DeleteBackupInput): Promise<void> {
  const { storage, file } = input;
  if (file.startsWith('.dbbackup-') || (await storage.stat(manifestNameFor(file))) === undefined) {
    throw new UserError(`'${file}' is not a backup with a manifest in ${storage.location}`, {
      code: ExitCode.noInput,
      hint: 'Only backups the tool made (a file and its .manifest.json) can be deleted here.',
    });
  }
  await removeBackupFiles(storage, file);

  const catalog = openOrWarn(input);
  try {
    await forget(input, catalog, [file]);
  } finally {
    catalog?.close();
  }
  input.emit({ kind: 'step', text: `deleted ${file} and its manifest` });
}
