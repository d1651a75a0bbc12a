// Catalog rows as the browser reads them from `catalog list --json`.

/** One backup in the browser. */
export interface BrowsedBackup {
  id: string;
  kind: string;
  file: string | null;
  engine: string;
  database: string;
  host: string | null;
  status: string;
  startedAt: string;
  storedBytes: number | null;
  compression: string | null;
  checksum: string | null;
  encrypted: boolean;
  error: string | null;
  verification: { checksum?: boolean; deep?: boolean; corrupt?: boolean };
}

/** The rows of a `catalog list` result. */
export function backupsOf(data: Record<string, unknown>): BrowsedBackup[] {
  const rows = (Array.isArray(data.backups) ? data.backups : []) as Record<string, unknown>[];
  return rows.map((row) => ({
    id: textOf(row.id),
    kind: textOf(row.kind) || 'single',
    file: typeof row.file === 'string' ? row.file : null,
    engine: textOf(row.engine),
    database: textOf(row.database),
    host: typeof row.host === 'string' ? row.host : null,
    status: textOf(row.status),
    startedAt: textOf(row.startedAt),
    storedBytes: typeof row.storedBytes === 'number' ? row.storedBytes : null,
    compression: typeof row.compression === 'string' ? row.compression : null,
    checksum: typeof row.checksum === 'string' ? row.checksum : null,
    encrypted: row.encrypted === true,
    error: typeof row.error === 'string' ? row.error : null,
    verification: row.verification ?? {},
  }));
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `deep`, `checksum`, `no`, `CORRUPT` or `-`, as `catalog list` prints it. */
export function verifiedOf(backup: BrowsedBackup): string {
  if (backup.status !== 'complete') return '-';
  if (backup.verification.corrupt === true) return 'CORRUPT';
  if (backup.verification.deep === true) return 'deep';
  return backup.verification.checksum === true ? 'checksum' : 'no';
}
