// On --resume: keeps a member file an earlier run wrote, if it still matches its manifest.
import type { Manifest } from '../../manifest/manifest.js';
import type { SetMember } from '../../manifest/set-manifest.js';
import type { StorageTarget } from '../../storage/storage.js';
import { hashStream } from '../hash-stream.js';
import type { MemberFile } from './set-store.js';

/**
 * Checks the candidates (normally one) newest first: size and SHA-256 against the member's own
 * manifest. Returns the set entry of the first that verifies; every other candidate (damaged,
 * or superseded) is removed with its manifest, so the member can be written afresh.
 */
export async function keepIfVerified(
  target: StorageTarget,
  found: MemberFile[],
  database: string | null,
): Promise<SetMember | undefined> {
  const ordered = [...found].sort((a, b) =>
    b.manifest.startedAt.localeCompare(a.manifest.startedAt),
  );
  let kept: SetMember | undefined;
  for (const file of ordered) {
    if (kept === undefined && (await verifies(target, file))) {
      kept = memberEntry({ database, file: file.dataName, manifest: file.manifest, kept: true });
      continue;
    }
    await target.remove(`${file.dataName}.manifest.json`);
    await target.remove(file.dataName);
  }
  return kept;
}

/** Parts of {@link memberEntry}. */
export interface MemberEntryParts {
  database: string | null;
  file: string;
  manifest: Manifest;
  kept: boolean;
  warnings?: string[];
}

/** The set entry of a member file that was written or kept. */
export function memberEntry({ database, file, manifest, kept, warnings = [] }: MemberEntryParts) {
  const entry: SetMember = {
    database,
    status: 'complete',
    file,
    manifestFile: `${file}.manifest.json`,
    checksum: manifest.checksum,
    sizes: manifest.sizes,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    kept,
    warnings,
  };
  return entry;
}

async function verifies(target: StorageTarget, { dataName, manifest }: MemberFile) {
  const info = await target.stat(dataName);
  if (info?.size !== manifest.sizes.stored) return false;
  const { sha256 } = await hashStream(target.open(dataName)).catch(() => ({ sha256: '' }));
  return sha256 === manifest.checksum.value;
}
