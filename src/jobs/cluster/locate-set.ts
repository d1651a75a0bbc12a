// Finds a backup set from what the user typed, and one member in it without reading the others.
import * as fs from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, UserError } from '../../errors.js';
import { databaseMembers, setFiles, type SetManifest } from '../../manifest/set-manifest.js';
import { locateBackup, type LocatedBackup } from '../locate.js';
import { readSet, type FoundSet } from './set-store.js';

/** A set with its manifest. */
export type LocatedSet = FoundSet & { manifest: SetManifest };

/** The set directory a path names (the directory, its set.manifest.json, or a bare name). */
export async function resolveSetPath(path: string, backupDir: string): Promise<string | undefined> {
  let full = resolve(path);
  if (basename(full) === setFiles.manifest || basename(full) === setFiles.plan)
    full = dirname(full);
  if (!path.includes('/') && !(await isDirectory(full))) full = resolve(backupDir, path);
  return (await isDirectory(full)) ? full : undefined;
}

/** Reads a set; an unfinished one (no manifest yet) or a damaged one fails with a hint. */
export async function locateSet(path: string, backupDir: string): Promise<LocatedSet> {
  const dir = await resolveSetPath(path, backupDir);
  if (dir === undefined) {
    throw new UserError(`backup set '${path}' not found`, {
      code: ExitCode.noInput,
      hint: 'Pass a set directory as `dbbackup list backups` shows it (cluster_…).',
    });
  }
  const set = await readSet(dir, basename(dir));
  if (set.problem !== undefined) {
    throw new UserError(set.problem, {
      code: ExitCode.data,
      hint: 'Restore its members one by one with `restore single SET --database NAME`.',
    });
  }
  if (set.manifest === undefined) {
    throw new UserError(`backup set '${dir}' is unfinished: it has no ${setFiles.manifest}`, {
      code: ExitCode.noInput,
      hint: 'Finish it with `dbbackup backup cluster --resume`, or take a new one.',
    });
  }
  return { ...set, manifest: set.manifest };
}

/** Locates the member of `database` in a set: only its own file and manifest are read. */
export async function locateMember(set: LocatedSet, database: string): Promise<LocatedBackup> {
  const member = databaseMembers(set.manifest).find((m) => m.database === database);
  if (member === undefined) {
    throw new UserError(`database '${database}' is not in the set '${set.name}'`, {
      code: ExitCode.noInput,
      hint: `The set holds: ${databaseMembers(set.manifest)
        .map((m) => `'${m.database}'`)
        .join(', ')}.`,
    });
  }
  if (member.status === 'failed') {
    throw new UserError(`database '${database}' failed in the set: ${member.error.message}`, {
      code: ExitCode.noInput,
      hint: 'Finish the set with `dbbackup backup cluster --resume`, or use another set.',
    });
  }
  return locateBackup(join(set.path, member.file), set.path);
}

async function isDirectory(path: string): Promise<boolean> {
  return fs.stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
