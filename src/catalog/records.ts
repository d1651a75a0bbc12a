// What the catalog holds: one row per backup (or failed attempt) and one per verify/restore run.
import type { Manifest } from '../manifest/manifest.js';
import { formatCompression } from '../plan/compression.js';

/** A backup's state in the catalog. */
export type BackupStatus = 'complete' | 'incomplete' | 'failed';

/** Record kinds of sets: the set itself, a database member, the globals member. */
export const setKinds = {
  set: 'cluster',
  member: 'cluster-member',
  globals: 'cluster-globals',
} as const;

/** One backup, or one failed attempt to make one. */
export interface BackupRecord {
  /** The data file name (`SET/FILE` for a set member, the directory for a set); for a failed
   * attempt, its run id. */
  id: string;
  /** `single`, or one of {@link setKinds} with the set's directory name in `setId`. */
  kind: string;
  setId: string | null;
  /** The data file name, or null for a failed attempt (it left no files). */
  file: string | null;
  engine: string;
  database: string;
  host: string | null;
  status: BackupStatus;
  startedAt: string;
  finishedAt: string | null;
  storedBytes: number | null;
  dumpBytes: number | null;
  databaseBytes: number | null;
  compression: string | null;
  checksum: string | null;
  /** The manifest's `encryption` field as JSON; null means not encrypted. */
  encryption: string | null;
  verifiedAfterBackup: boolean;
  /** Exit code and message of a failed attempt; the problem of an incomplete backup. */
  errorCode: number | null;
  error: string | null;
  /** The manifest as read, JSON; null for a failed attempt. */
  manifest: string | null;
}

/** A verify or restore run against one backup. */
export interface RunRecord {
  id: string;
  file: string;
  action: 'verify' | 'restore';
  /** verify: `quick` (checksum) or `full` (whole dump read); restore: `restore`. */
  depth: 'quick' | 'full' | 'restore';
  ok: boolean;
  at: string;
  durationMs: number | null;
  target: string | null;
  errorCode: number | null;
  error: string | null;
}

/** What a failed attempt is known by; it left no file, so everything else is null. */
export type FailedAttempt = Pick<
  BackupRecord,
  'id' | 'kind' | 'setId' | 'engine' | 'database' | 'host' | 'startedAt' | 'finishedAt'
> & { errorCode: number; error: string };

/** The catalog row of a failed backup attempt. */
export function failedRecord(attempt: FailedAttempt): BackupRecord {
  return {
    ...attempt,
    file: null,
    status: 'failed',
    storedBytes: null,
    dumpBytes: null,
    databaseBytes: null,
    compression: null,
    checksum: null,
    encryption: null,
    verifiedAfterBackup: false,
    manifest: null,
  };
}

/** The catalog row of a backup read from its manifest; `problem` marks it incomplete. */
export function recordFromManifest(manifest: Manifest, problem?: string): BackupRecord {
  const extra = manifest as Manifest & { encryption?: unknown; setId?: unknown };
  return {
    id: manifest.file,
    kind: manifest.kind,
    setId: typeof extra.setId === 'string' ? extra.setId : null,
    file: manifest.file,
    engine: manifest.engine,
    database: manifest.database,
    host: manifest.server.host,
    status: problem === undefined ? 'complete' : 'incomplete',
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    storedBytes: manifest.sizes.stored,
    dumpBytes: manifest.sizes.dump,
    databaseBytes: manifest.sizes.database,
    compression: formatCompression(manifest.compression),
    checksum: manifest.checksum.value,
    encryption: isEncrypted(extra.encryption) ? JSON.stringify(extra.encryption) : null,
    verifiedAfterBackup: manifest.verified.afterBackup,
    errorCode: null,
    error: problem ?? null,
    manifest: JSON.stringify(manifest),
  };
}

/** Whether a manifest's `encryption` field says the data is encrypted (absent: not). */
export function isEncrypted(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'object' && 'enabled' in value) return value.enabled !== false;
  return true;
}
