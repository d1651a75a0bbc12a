// Proves a directory takes a new file: root ignores permission bits, so only a write tells.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { fileError } from '../../errors.js';
import { tempName } from '../../plan/temp-name.js';

/** Creates and removes a private temporary file in `dir`; fails as a write to `shownAs`. */
export async function probeWrite(dir: string, shownAs = dir): Promise<void> {
  const probe = join(dir, tempName('probe'));
  try {
    const handle = await fs.open(probe, 'wx', 0o600);
    await handle.close();
    await fs.unlink(probe);
  } catch (error) {
    throw fileError('write to backup directory', shownAs, error);
  }
}
