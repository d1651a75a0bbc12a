// Lists the backups in a storage target from their manifests (the source of truth).
import { parseManifest, type Manifest } from '../manifest/manifest.js';
import type { StorageTarget } from '../storage/storage.js';

/** A backup found in storage, or a manifest that could not be read. */
export type ScannedBackup =
  | { name: string; manifest: Manifest; problem?: undefined }
  | { name: string; manifest?: undefined; problem: string };

const suffix = '.manifest.json';

/** Reads every manifest; data files without one are not backups and are not listed. */
export async function scanBackups(storage: StorageTarget): Promise<ScannedBackup[]> {
  const names = (await storage.list()).filter((name) => name.endsWith(suffix)).sort();
  const out: ScannedBackup[] = [];
  for (const name of names) {
    const dataName = name.slice(0, -suffix.length);
    try {
      const manifest = parseManifest(await storage.readSmall(name), name);
      const data = await storage.stat(dataName);
      out.push(
        data === undefined
          ? { name: dataName, problem: 'data file missing' }
          : data.size === manifest.sizes.stored
            ? { name: dataName, manifest }
            : { name: dataName, problem: `size ${data.size} differs from manifest` },
      );
    } catch (error) {
      out.push({ name: dataName, problem: (error as Error).message });
    }
  }
  return out;
}
