// Catalog rows as the catalog commands show them: a backup with how well it is verified.
import { findRuns } from '../catalog/queries.js';
import type { Catalog } from '../catalog/open.js';
import type { BackupRecord } from '../catalog/records.js';
import { runsByFile, verificationOf, type Verification } from '../catalog/verification.js';
import { formatBytes, formatLocalTime } from '../events/format.js';
import type { Column } from './render.js';

/** A backup and its verification. */
export interface BackupView {
  record: BackupRecord;
  verification: Verification;
}

/** Adds the verification of each record, from the catalog's runs. */
export function viewsOf(catalog: Catalog, records: readonly BackupRecord[]): BackupView[] {
  const runs = runsByFile(findRuns(catalog));
  return records.map((record) => ({
    record,
    verification: verificationOf(record, record.file === null ? [] : runs.get(record.file)),
  }));
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
    encrypted: encryption !== null,
    encryption: encryption === null ? null : (JSON.parse(encryption) as unknown),
    verification,
  };
}

/** The columns of `catalog list` and `catalog search`. */
export const backupColumns: readonly Column<BackupView>[] = [
  { header: 'DATABASE', text: (v) => v.record.database, raw: (v) => v.record.database },
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
  {
    header: 'FILE',
    text: (v) => v.record.file ?? `(failed: ${v.record.error ?? 'unknown error'})`,
    raw: (v) => v.record.file,
  },
];
