// Small tmpfs mounts for tests of full and read-only backup directories (needs root).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { tempDir } from './pg-case.js';

const run = promisify(execFile);

/** Mounts a fresh tmpfs of `size` (e.g. '5m') on a new temporary directory and returns it. */
export async function mountTmpfs(size: string, { readOnly = false } = {}): Promise<string> {
  const dir = await tempDir('dbbackup-mnt-');
  const options = [`size=${size}`, 'mode=0700', ...(readOnly ? ['ro'] : [])].join(',');
  await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  return dir;
}

/** Remounts a mounted tmpfs read-only or read-write. */
export async function remount(dir: string, mode: 'ro' | 'rw'): Promise<void> {
  await run('mount', ['-o', `remount,${mode}`, dir]);
}

/** Unmounts a directory made by {@link mountTmpfs} and removes it. */
export async function unmountTmpfs(dir: string): Promise<void> {
  await run('umount', [dir]).catch(() => undefined);
  await fs.rmdir(dir).catch(() => undefined);
}
