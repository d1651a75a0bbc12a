// Catalog rows as the catalog commands show them: a backup with how well it is verified.
import { findBackups, findRuns } from '../catalog/queries.js';
import type { Catalog } from '../catalog/open.js';
import { setKinds, type BackupRecord } from '../catalog/records.js';
import {
  membersBySet,
  runsByFile,
  subjectOf,
  verificationIn,
  type Verification,
} from '../catalog/verification.js';
import { formatBytes, formatLocalTime } from '../events/format.js';
import type { Column } from './render.js';

/** A backup and its verification. */
export interface BackupView {
  record: BackupRecord;
  verification: Verification;
}

/** Adds the verification of each record, from the catalog's runs (a set's from its members'). */
export function viewsOf(catalog: Catalog, records: readonly BackupRecord[]): BackupView[] {
  const runs = runsByFile(findRuns(catalog));
  const hasSets = records.some((r) => r.kind === setKinds.set);
  const members = membersBySet(hasSets ? findBackups(catalog) : []);
  return records.map((record) => ({
    record,
    verification: verificationIn(record, runs, members),
  }));
}

/** The file column: the data file, `SET/` for a set, or why an attempt failed. */
export function fileText({ record }: BackupView): string {
  if (record.file === null) return `(failed: ${record.error ?? 'unknown error'})`;
  return record.kind === setKinds.set ? `${record.file}/` : record.file;
}

/** `deep`, `checksum`, `no`, or `CORRUPT` (the latest verify or restore found bad data). */
export function verifiedText({ record, verification }: BackupView): string {
  if (record.status !== 'complete') return '-';
  if (verification.corrupt) return 'CORRUPT';
  return verification.deep ? 'deep' : verification.checksum ? 'checksum' : 'no';
}

/** A backup as JSON for scripts: the record without the raw manifest text. */
export function viewJson({ record, verification }: BackupView): Record<string, unknown> {
  const { encryption } = record;
  const rest: Partial<BackupRecord> = { ...record };
  delete rest.manifest;
  return {
    ...rest,
    subject: subjectOf(record),
    encrypted: encryption !== null,
    encryption: encryption === null ? null : (JSON.parse(encryption) as unknown),
    verification,
  };
}

/** The columns of `catalog list` and `catalog search`. */
export const backupColumns: readonly Column<BackupView>[] = [
  { header: 'DATABASE', text: (v) => subjectOf(v.record), raw: (v) => v.record.database },
  {
    header: 'STARTED',
    text: (v) => formatLocalTime(v.record.startedAt),
    raw: (v) => v.record.startedAt,
  },
  { header: 'STATUS', text: (v) => v.record.status, raw: (v) => v.record.status },
  {
    header: 'SIZE',
    text: (v) => (v.record.storedBytes === null ? '-' : formatBytes(v.record.storedBytes)),
    raw: (v) => v.record.storedBytes,
  },
  { header: 'VERIFIED', text: verifiedText, raw: verifiedText },
  {
    header: 'ENCRYPTED',
    text: (v) => (v.record.encryption === null ? 'no' : 'yes'),
    raw: (v) => v.record.encryption !== null,
  },
  { header: 'FILE', text: fileText, raw: (v) => v.record.file },
  // Last, so scripts reading the columns by position before sets existed keep working.
  { header: 'KIND', text: (v) => kindText(v.record), raw: (v) => v.record.kind },
];

/** `single`, `set`, `member` or `globals`. */
export function kindText(record: Pick<BackupRecord, 'kind'>): string {
  if (record.kind === setKinds.set) return 'set';
  if (record.kind === setKinds.member) return 'member';
  if (record.kind === setKinds.globals) return 'globals';
  return record.kind;
}
