// The 0600 option file that hands a password to mariadb-dump / mysqldump / mariadb / mysql.
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileError } from '../../errors.js';
import { currentOwner, isStale } from '../../plan/temp-name.js';

/** `dbbackup-my-<pid>-<random>`: the private directory of one run's option file. */
const dirPattern = /^dbbackup-my-(\d+)-/;

/** Quotes an option-file value: double quotes, with `\`, `"` and line breaks escaped. */
export function quoteOptionValue(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

/** The text of an option file carrying a password for every client tool. */
export function optionFileText(password: string): string {
  return `[client]\npassword=${quoteOptionValue(password)}\n`;
}

/** An option file on disk; `remove` deletes it and its private directory. */
export interface OptionFile {
  path: string;
  /** The tool's first argument: `--defaults-extra-file=PATH`. */
  argument: string;
  remove(): Promise<void>;
}

/**
 * Writes the password into a fresh private directory (0700, from mkdtemp) as a file created
 * exclusively with mode 0600, so nothing planted beforehand can be followed or read. Without
 * a password there is nothing to write and the result is undefined.
 */
export async function createOptionFile(
  password: string | undefined,
  dir = tmpdir(),
): Promise<OptionFile | undefined> {
  if (password === undefined) return undefined;
  await removeStaleDirs(dir);
  const home = await fs
    .mkdtemp(join(dir, `dbbackup-my-${process.pid}-`))
    .catch((error: unknown) => {
      throw fileError('create a private directory in', dir, error);
    });
  const path = join(home, 'client.cnf');
  const remove = () => fs.rm(home, { recursive: true, force: true });
  try {
    const handle = await fs.open(path, 'wx', 0o600);
    try {
      await handle.writeFile(optionFileText(password));
    } finally {
      await handle.close();
    }
  } catch (error) {
    await remove();
    throw fileError('write option file', path, error);
  }
  return { path, argument: `--defaults-extra-file=${path}`, remove };
}

/**
 * Removes the option-file directories of runs that were killed (SIGKILL leaves no chance to
 * clean up): ours by owner, of a process of this host that no longer runs.
 */
async function removeStaleDirs(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const self = currentOwner();
  for (const name of names) {
    const pid = Number(dirPattern.exec(name)?.[1] ?? Number.NaN);
    if (Number.isNaN(pid) || !isStale({ host: self.host, pid }, self)) continue;
    const path = join(dir, name);
    const info = await fs.lstat(path).catch(() => undefined);
    if (info?.isDirectory() === true && info.uid === process.getuid?.()) {
      await fs.rm(path, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/** Runs `work` with an option file that is removed afterwards, also when `work` fails. */
export async function withOptionFile<T>(
  password: string | undefined,
  work: (file: OptionFile | undefined) => Promise<T>,
): Promise<T> {
  const file = await createOptionFile(password);
  try {
    return await work(file);
  } finally {
    await file?.remove();
  }
}
