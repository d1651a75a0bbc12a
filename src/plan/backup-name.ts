// Safe, sortable file names for backups; the real database name lives in the manifest.
import { createHash } from 'node:crypto';
import { formatStamp } from '../clock.js';

const safeByte = /[A-Za-z0-9_-]/;
const maxEncodedLength = 120;

/**
 * Encodes a database name for a file name: ASCII letters, digits, `_` and `-` stay, every other
 * UTF-8 byte becomes `%XX` (so `/`, `..`, quotes and spaces cannot reach the file system).
 * Long names are cut and end in a short hash of the full name, keeping names unique.
 */
export function encodeNameForFile(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += safeByte.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out === '') return '%00empty';
  if (out.length <= maxEncodedLength) return out;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${out.slice(0, maxEncodedLength - 13)}~${digest}`;
}

/** Options of {@link planBackupName}. */
export interface BackupNameOptions {
  database: string;
  startedAt: Date;
  extension: string;
  compressionSuffix: string;
  /** Tie-breaker when a backup with the same second already exists: 2, 3, … */
  sequence?: number;
}

/** The base of a backup's file names, `<db>_<UTC stamp>`; data and manifest add suffixes. */
export function planBackupBase({
  database,
  startedAt,
  sequence,
}: Pick<BackupNameOptions, 'database' | 'startedAt' | 'sequence'>): string {
  const tie = sequence === undefined || sequence < 2 ? '' : `-${sequence}`;
  return `${encodeNameForFile(database)}_${formatStamp(startedAt)}${tie}`;
}

/** The data file name, e.g. `Sales%20Q1_20261204T042000Z.pgdump.zst`. */
export function planDataName(options: BackupNameOptions): string {
  return `${planBackupBase(options)}.${options.extension}${options.compressionSuffix}`;
}

/** The manifest name that belongs to a data file name. */
export function manifestNameFor(dataName: string): string {
  return `${dataName}.manifest.json`;
}

/** Prefix of every temporary file the tool writes; such files are never backups. */
export const tempPrefix = '.dbbackup-tmp-';
