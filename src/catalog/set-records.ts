// The catalog rows of backup sets: one for each set, one for each member file or failed member.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { isGlobalsManifest } from '../jobs/cluster/globals-engine.js';
import { listSets, type FoundSet } from '../jobs/cluster/set-store.js';
import { parseManifest, type Manifest } from '../manifest/manifest.js';
import type { SetMember } from '../manifest/set-manifest.js';
import { setFiles } from '../manifest/set-manifest.js';
import { formatCompression } from '../plan/compression.js';
import { failedRecord, recordFromManifest, setKinds, type BackupRecord } from './records.js';

/** What the set directories of a backup directory hold, as catalog rows. */
export interface SetHistory {
  backups: BackupRecord[];
  /** Set directories whose plan or manifest could not be read; they are not listed. */
  unreadable: { name: string; problem: string }[];
}

/** Reads every set directory of `backupDir`; one without a plan or manifest is not ours. */
export async function collectSets(backupDir: string): Promise<SetHistory> {
  const out: SetHistory = { backups: [], unreadable: [] };
  for (const set of await listSets(backupDir)) {
    if (set.problem !== undefined) out.unreadable.push({ name: set.name, problem: set.problem });
    else if (set.plan !== undefined || set.manifest !== undefined)
      out.backups.push(...(await setRecords(set)));
  }
  return out;
}

/** The rows of one readable set: the set's own row first, then its members. */
export async function setRecords(set: FoundSet): Promise<BackupRecord[]> {
  const members =
    set.manifest === undefined
      ? await landedMembers(set)
      : await Promise.all(
          [set.manifest.globals, ...set.manifest.members].map((m) => memberRecord(set, m)),
        );
  return [setRow(set, members), ...members];
}

function setRow(set: FoundSet, members: BackupRecord[]): BackupRecord {
  const { manifest, plan } = set;
  const head = manifest ?? plan;
  if (head === undefined) throw new Error(`set '${set.name}' has neither plan nor manifest`);
  const files = members.filter((m) => m.file !== null && m.status === 'complete');
  const sum = (pick: (r: BackupRecord) => number | null) =>
    files.reduce((n, r) => n + (pick(r) ?? 0), 0);
  const problems = problemsOf(set, members);
  const compressions = [...new Set(files.map((f) => f.compression ?? 'none'))];
  return {
    id: set.name,
    kind: setKinds.set,
    setId: set.name,
    file: set.name,
    engine: head.engine,
    database: '',
    host: head.server.host,
    status: problems.length === 0 ? 'complete' : 'incomplete',
    startedAt: head.startedAt,
    finishedAt: manifest?.finishedAt ?? null,
    storedBytes: sum((r) => r.storedBytes),
    dumpBytes: sum((r) => r.dumpBytes),
    databaseBytes: sum((r) => r.databaseBytes),
    compression: compressions.length === 1 ? (compressions[0] ?? null) : compressions.join('+'),
    checksum: null,
    encryption: files.find((f) => f.encryption !== null)?.encryption ?? null,
    verifiedAfterBackup: files.length > 0 && files.every((f) => f.verifiedAfterBackup),
    errorCode: null,
    error: problems.length === 0 ? null : problems.join('; '),
    manifest: JSON.stringify(manifest ?? plan),
  };
}

function problemsOf(set: FoundSet, members: BackupRecord[]): string[] {
  if (set.manifest === undefined) {
    return [`unfinished: no ${setFiles.manifest} yet (\`backup cluster --resume\` continues it)`];
  }
  const label = (r: BackupRecord) => (r.kind === setKinds.globals ? 'globals' : `'${r.database}'`);
  return members
    .filter((m) => m.status !== 'complete')
    .map((m) => `${label(m)} ${m.status === 'failed' ? 'failed' : 'damaged'}: ${m.error ?? ''}`);
}

async function memberRecord(set: FoundSet, member: SetMember): Promise<BackupRecord> {
  const kind = member.database === null ? setKinds.globals : setKinds.member;
  if (member.status === 'failed') {
    return failedMember(set, member.database, kind, member.error);
  }
  const file = `${set.name}/${member.file}`;
  try {
    const manifest = parseManifest(
      await fs.readFile(join(set.path, member.manifestFile), 'utf8'),
      `${set.name}/${member.manifestFile}`,
    );
    return await fileRecord(set, kind, manifest, member.file);
  } catch (error) {
    // The set manifest still vouches for the file: list it, as incomplete, with the reason.
    return {
      ...failedMember(set, member.database, kind, { code: 65, message: '' }),
      id: file,
      file,
      status: 'incomplete',
      startedAt: member.startedAt,
      storedBytes: member.sizes.stored,
      dumpBytes: member.sizes.dump,
      checksum: member.checksum.value,
      errorCode: null,
      error: `member manifest unreadable: ${(error as Error).message}`,
    };
  }
}

// A set without its manifest yet: the members whose files and manifests have landed.
async function landedMembers(set: FoundSet): Promise<BackupRecord[]> {
  const names = await fs.readdir(set.path).catch(() => [] as string[]);
  const out: BackupRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.manifest.json')).sort()) {
    if (name === setFiles.manifest) continue;
    try {
      const manifest = parseManifest(await fs.readFile(join(set.path, name), 'utf8'), name);
      const kind = isGlobalsManifest(manifest) ? setKinds.globals : setKinds.member;
      out.push(await fileRecord(set, kind, manifest, name.slice(0, -'.manifest.json'.length)));
    } catch {
      // A member manifest torn by a crash is not a member: --resume dumps it again.
    }
  }
  return out;
}

async function fileRecord(
  set: FoundSet,
  kind: string,
  manifest: Manifest,
  dataName: string,
): Promise<BackupRecord> {
  const size = await fs.stat(join(set.path, dataName)).then(
    (info) => info.size,
    () => undefined,
  );
  const problem =
    size === undefined
      ? 'data file missing'
      : size !== manifest.sizes.stored
        ? `data file is ${size} bytes, manifest says ${manifest.sizes.stored}`
        : undefined;
  const file = `${set.name}/${dataName}`;
  const record = recordFromManifest({ ...manifest, file }, problem);
  return {
    ...record,
    kind,
    setId: set.name,
    database: kind === setKinds.globals ? '' : manifest.database,
    compression: formatCompression(manifest.compression),
  };
}

function failedMember(
  set: FoundSet,
  database: string | null,
  kind: string,
  error: { code: number; message: string },
): BackupRecord {
  const head = set.manifest ?? set.plan;
  return failedRecord({
    id: `${set.name}/failed:${database ?? 'globals'}`,
    kind,
    setId: set.name,
    engine: head?.engine ?? 'postgres',
    database: database ?? '',
    host: head?.server.host ?? null,
    startedAt: head?.startedAt ?? '',
    finishedAt: set.manifest?.finishedAt ?? null,
    errorCode: error.code,
    error: error.message,
  });
}
