// The pre-restore check that the given key opens an encrypted backup's header.
import type { Check } from '../engines/engine.js';
import { describeNeededKey } from '../encryption/keys.js';
import { isUserError } from '../errors.js';
import { isEncrypted, type Manifest } from '../manifest/manifest.js';
import type { LocatedBackup } from './locate.js';
import { missingKeyError, type BackupUnlocker } from './unlock-backup.js';

/** Tries the key on the header; undefined for a backup that is not encrypted. */
export async function checkKey(
  backup: LocatedBackup,
  manifest: Manifest,
  unlocker: BackupUnlocker | undefined,
): Promise<Check | undefined> {
  if (!isEncrypted(manifest)) return undefined;
  if (unlocker === undefined) {
    const error = missingKeyError(backup.dataName, manifest.encryption);
    return { name: 'key', ok: false, detail: error.message, error };
  }
  try {
    await unlocker.check(backup.storage);
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { name: 'key', ok: false, detail: error.message, error };
  }
  return {
    name: 'key',
    ok: true,
    detail: `the key given opens the age header (encrypted to ${describeNeededKey(manifest.encryption)})`,
  };
}
