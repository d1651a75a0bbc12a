// The manifest: documented JSON written last beside each backup file (see README).
import type { CompressionUsed } from '../plan/compression.js';
import { ExitCode, UserError } from '../errors.js';

/** Engines the tool backs up. */
export type EngineType = 'postgres' | 'mysql';

/** One table's fingerprint: its exact row count when the backup was taken. */
export interface TableFingerprint {
  schema: string;
  name: string;
  rows: number;
}

/** One public key a backup's file key was wrapped for. */
export interface RecipientInfo {
  type: 'x25519';
  /** The `age1…` public key: not a secret, and what `age-keygen -y IDENTITY` prints. */
  recipient: string;
  /** First 16 hex digits of the SHA-256 of `recipient`. */
  fingerprint: string;
}

/** How a backup file is encrypted (the age format); it never holds a secret. */
export interface EncryptionInfo {
  format: 'age';
  /** X25519 recipients; empty when a passphrase was used. */
  recipients: RecipientInfo[];
  passphrase: boolean;
}

/** The manifest of one single-database backup. */
export interface Manifest {
  format: 'dbbackup-manifest';
  version: 1;
  kind: 'single';
  status: 'complete';
  engine: EngineType;
  server: { flavour: string; version: string; host: string };
  tool: { name: string; version: string };
  database: string;
  /** How the data file is encoded before compression: `pg-custom` or `mysql-sql`. */
  dumpFormat: string;
  file: string;
  startedAt: string;
  finishedAt: string;
  compression: CompressionUsed;
  /** Null for a file that is not encrypted; manifests older than encryption lack it. */
  encryption?: EncryptionInfo | null;
  sizes: { dump: number; stored: number; database: number | null };
  checksum: { algorithm: 'sha256'; value: string };
  /** Whether the row counts come from the dump's own snapshot or were taken beside it. */
  fingerprint: { counts: 'same-snapshot' | 'beside-dump'; tables: TableFingerprint[] };
  /** Server objects the database needs on a target: roles it references, extensions. */
  requires: { roles: string[]; extensions: string[] };
  verified: { afterBackup: boolean };
}

/** Tells whether a manifest describes an encrypted file. */
export function isEncrypted(
  manifest: Pick<Manifest, 'encryption'>,
): manifest is { encryption: EncryptionInfo } {
  return manifest.encryption !== undefined && manifest.encryption !== null;
}

/** Serialises a manifest the way it is stored: stable, indented, newline-terminated. */
export function formatManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Parses and checks a stored manifest; anything unexpected is a data error (65). */
export function parseManifest(text: string, where: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(where, 'it is not valid JSON', error);
  }
  if (!isRecord(value) || value.format !== 'dbbackup-manifest') {
    throw invalid(where, 'it is not a dbbackup manifest');
  }
  if (value.version !== 1) {
    throw invalid(where, `manifest version ${String(value.version)} is not supported`);
  }
  for (const key of ['engine', 'database', 'file', 'dumpFormat', 'startedAt'] as const) {
    if (typeof value[key] !== 'string') throw invalid(where, `field '${key}' is missing`);
  }
  const checksum = value.checksum;
  if (!isRecord(checksum) || typeof checksum.value !== 'string') {
    throw invalid(where, "field 'checksum' is missing");
  }
  const encryption = value.encryption;
  if (encryption !== undefined && encryption !== null) {
    if (!isRecord(encryption) || encryption.format !== 'age') {
      throw invalid(where, "field 'encryption' names no known format");
    }
    if (!Array.isArray(encryption.recipients) || typeof encryption.passphrase !== 'boolean') {
      throw invalid(where, "field 'encryption' lacks its recipients or passphrase flag");
    }
  }
  return value as unknown as Manifest;
}

function invalid(where: string, why: string, cause?: unknown): UserError {
  return new UserError(`manifest '${where}' is unreadable: ${why}`, {
    code: ExitCode.data,
    hint: 'The manifest was damaged; `dbbackup verify` with the data file checks what is left.',
    cause,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
