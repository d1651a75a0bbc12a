// Finds and reads backup sets: directories `cluster_<server>_<UTC>` inside the backup directory.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { formatStamp } from '../../clock.js';
import { fileError } from '../../errors.js';
import { parseManifest, type EngineType, type Manifest } from '../../manifest/manifest.js';
import {
  parseSetManifest,
  parseSetPlan,
  setFiles,
  type SetManifest,
  type SetPlan,
} from '../../manifest/set-manifest.js';
import { encodeNameForFile } from '../../plan/backup-name.js';
import { LocalTarget } from '../../storage/local/local-target.js';

/** Prefix of every set directory. */
export const setPrefix = 'cluster_';

/** A set directory and what could be read of it. */
export interface FoundSet {
  name: string;
  path: string;
  plan?: SetPlan;
  manifest?: SetManifest;
  /** Why the set's files could not be read, if so. */
  problem?: string;
}

/** The directory name of a new set: `cluster_<encoded server>_<UTC stamp>`. */
export function setDirName(host: string, startedAt: Date, sequence = 1): string {
  const tie = sequence < 2 ? '' : `-${sequence}`;
  return `${setPrefix}${encodeNameForFile(host)}_${formatStamp(startedAt)}${tie}`;
}

/** Reads the plan and manifest of one set directory. */
export async function readSet(path: string, name: string): Promise<FoundSet> {
  const found: FoundSet = { name, path };
  try {
    const plan = await readOptional(join(path, setFiles.plan));
    if (plan !== undefined) found.plan = parseSetPlan(plan, join(name, setFiles.plan));
    const manifest = await readOptional(join(path, setFiles.manifest));
    if (manifest !== undefined) {
      found.manifest = parseSetManifest(manifest, join(name, setFiles.manifest));
    }
  } catch (error) {
    found.problem = (error as Error).message;
  }
  return found;
}

/** Every set directory in the backup directory, oldest first. */
export async function listSets(backupDir: string): Promise<FoundSet[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(backupDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fileError('list backup directory', backupDir, error);
  }
  const names = entries
    .filter((e) => e.isDirectory() && e.name.startsWith(setPrefix))
    .map((e) => e.name);
  const sets = await Promise.all(names.map((name) => readSet(join(backupDir, name), name)));
  return sets.sort((a, b) => startOf(a).localeCompare(startOf(b)) || a.name.localeCompare(b.name));
}

/** The newest set of this server, when it is unfinished (no manifest, or incomplete). */
export async function findResumable(
  backupDir: string,
  engine: EngineType,
  host: string,
): Promise<FoundSet | undefined> {
  const mine = (await listSets(backupDir)).filter(
    (s) => s.plan?.engine === engine && s.plan.server.host === host,
  );
  const newest = mine.at(-1);
  if (newest === undefined || newest.manifest?.status === 'complete') return undefined;
  return newest;
}

/** A member file found in a set directory, by its own manifest. */
export interface MemberFile {
  dataName: string;
  manifest: Manifest;
}

/** The member manifests of a set directory that parse, by the database they hold. */
export async function memberFiles(target: LocalTarget): Promise<Map<string, MemberFile[]>> {
  const out = new Map<string, MemberFile[]>();
  const suffix = '.manifest.json';
  for (const name of await target.list()) {
    if (!name.endsWith(suffix) || name === setFiles.manifest) continue;
    try {
      const manifest = parseManifest(await target.readSmall(name), name);
      const list = out.get(manifest.database) ?? [];
      list.push({ dataName: name.slice(0, -suffix.length), manifest });
      out.set(manifest.database, list);
    } catch {
      // A damaged member manifest is as good as none: the member is dumped again.
    }
  }
  return out;
}

function startOf(set: FoundSet): string {
  return set.plan?.startedAt ?? set.manifest?.startedAt ?? '';
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
