// Gathers what `health` judges: the backups on disk, their runs, free space, and whether the
// catalog agrees with the files.
import * as fs from 'node:fs/promises';
import { collectHistory } from '../catalog/history.js';
import { openCatalog } from '../catalog/open.js';
import { findBackups, findRuns } from '../catalog/queries.js';
import { setKinds, type BackupRecord, type RunRecord } from '../catalog/records.js';
import {
  groupOf,
  membersBySet,
  runsByFile,
  subjectOf,
  verificationIn,
  withKnownServers,
} from '../catalog/verification.js';
import type { Verification } from '../catalog/verification.js';
import { compileGlob } from '../plan/glob.js';
import type { DatabaseFacts, HealthInput } from '../plan/health.js';
import type { StorageTarget } from '../storage/storage.js';

/** Inputs of {@link gatherHealthFacts}. */
export interface HealthFactsInput {
  storage: StorageTarget;
  catalogPath: string;
  journalPath: string;
  databaseGlob?: string;
}

/** The facts part of a HealthInput (the caller adds the clock and thresholds). */
export type HealthFacts = Pick<HealthInput, 'databases' | 'freeBytes' | 'catalog'>;

/** Reads the files (the truth), then compares the catalog with them; never writes. */
export async function gatherHealthFacts(input: HealthFactsInput): Promise<HealthFacts> {
  const { storage, catalogPath, journalPath } = input;
  const listed = await readCatalog(catalogPath);
  const history = await collectHistory(storage, journalPath, {
    failures: listed.backups.filter((b) => b.status === 'failed'),
    runs: listed.runs,
  });

  const matches = input.databaseGlob === undefined ? () => true : compileGlob(input.databaseGlob);
  const records = withKnownServers(history.backups).filter((r) => matches(r.database));
  const runs = runsByFile(history.runs);
  const members = membersBySet(history.backups);
  const verify = (r: BackupRecord) => verificationIn(r, runs, members);
  const groups = new Map<string, BackupRecord[]>();
  for (const r of records) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r]);
  const databases = [...groups.values()].map((list) => factsOf(list, verify));

  const onDisk = new Set(history.backups.filter((b) => b.status === 'complete').map((b) => b.id));
  const inCatalog = new Set(listed.backups.filter((b) => b.status === 'complete').map((b) => b.id));
  return {
    databases,
    freeBytes: await freeBytesOf(storage.location),
    catalog: {
      problem: listed.problem,
      missingFiles:
        listed.problem === undefined ? [...inCatalog].filter((id) => !onDisk.has(id)) : [],
      notInCatalog:
        listed.problem === undefined ? [...onDisk].filter((id) => !inCatalog.has(id)) : [],
    },
  };
}

// A database's history holds its single backups and its members of sets alike.
function factsOf(list: BackupRecord[], verify: (r: BackupRecord) => Verification): DatabaseFacts {
  const newestFirst = [...list].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  const good = (r: BackupRecord) => r.status === 'complete' && !verify(r).corrupt;
  const newestIndex = newestFirst.findIndex(good);
  const newest = newestFirst[newestIndex];
  const verification = newest === undefined ? undefined : verify(newest);
  const first = list[0];
  return {
    engine: first?.engine ?? '',
    database: first === undefined ? '' : subjectOf(first),
    isSet: first?.kind === setKinds.set,
    newest:
      newest === undefined || verification === undefined
        ? undefined
        : {
            file: newest.file ?? newest.id,
            startedAt: new Date(newest.startedAt),
            storedBytes: newest.storedBytes ?? 0,
            verified: verification.checksum,
            deepVerified: verification.deep,
          },
    successTimes: list.filter((r) => r.status === 'complete').map((r) => new Date(r.startedAt)),
    failuresSince: newestIndex === -1 ? newestFirst.length : newestIndex,
  };
}

interface Listed {
  backups: BackupRecord[];
  runs: RunRecord[];
  problem: string | undefined;
}

async function readCatalog(path: string): Promise<Listed> {
  // health must not create the catalog: a missing one is a finding, not something to fix.
  const exists = await fs.stat(path).then(
    () => true,
    () => false,
  );
  if (!exists) return { backups: [], runs: [], problem: `catalog '${path}' does not exist` };
  try {
    const catalog = openCatalog(path);
    try {
      return { backups: findBackups(catalog), runs: findRuns(catalog), problem: undefined };
    } finally {
      catalog.close();
    }
  } catch (error) {
    return { backups: [], runs: [], problem: (error as Error).message };
  }
}

async function freeBytesOf(directory: string): Promise<number | undefined> {
  try {
    const space = await fs.statfs(directory);
    return space.bavail * space.bsize;
  } catch {
    return undefined;
  }
}
