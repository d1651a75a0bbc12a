// Creates a private directory and its parents, keeping the real cause when that fails.
import * as fs from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` with mode 0700 for each directory it creates. It does not use Node's recursive
 * mkdir, which reports ENOENT for any failure on a missing component (a read-only file system
 * shows as "no such file"); here each component fails with its own errno. A directory that a
 * concurrent run creates first is not an error.
 */
export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  let current = resolve(path);
  while (!(await exists(current))) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }

  for (const dir of missing) {
    try {
      await fs.mkdir(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
