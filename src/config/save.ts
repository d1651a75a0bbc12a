// Writes options into the config file the CLI reads: private (0600), atomic, other keys kept.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, UserError, fileError } from '../errors.js';
import { parseConfigObject } from './config-json.js';
import { optionSpecs } from './options.js';

/** A value to store, or null to remove the key from the file. */
export type SavedValue = string | number | boolean | readonly string[] | null;

/** Inputs of {@link saveConfigFile}. */
export interface SaveConfigInput {
  path: string;
  changes: Readonly<Record<string, SavedValue>>;
}

/** Merges the changes into the file (created when missing) and returns the keys it now holds. */
export async function saveConfigFile({ path, changes }: SaveConfigInput): Promise<string[]> {
  const known = new Set(optionSpecs.map((s) => s.key));
  const unknown = Object.keys(changes).filter((key) => !known.has(key) || key === 'config');
  if (unknown.length > 0) {
    throw new UserError(`unknown option(s) ${unknown.join(', ')}`, {
      code: ExitCode.config,
      hint: '`dbbackup config show` lists the options a config file may set.',
    });
  }

  const old = await readObject(path);
  const values = Object.fromEntries(
    [...Object.entries(old), ...Object.entries(changes)].filter(([key, value]) => {
      return value !== null && changes[key] !== null;
    }),
  );
  await writePrivate(path, `${JSON.stringify(values, null, 2)}\n`);
  return Object.keys(values);
}

async function readObject(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw fileError('read config file', path, error);
  }
  return parseConfigObject(text, path);
}

// A new file under a temporary name, then rename: a reader never sees half a file, and the
// mode is 0600 from the first byte whatever the old file's mode was.
async function writePrivate(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.config-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw fileError('write config file', path, error);
  }
}
