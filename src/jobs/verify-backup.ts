// Verifies a stored backup: size and checksum, then (by default) a full structural read.
import type { DumpEngine, StructureReport } from '../engines/engine.js';
import { ExitCode, UserError } from '../errors.js';
import type { Emit } from '../events/events.js';
import { describeNeededKey } from '../encryption/keys.js';
import { isEncrypted, type Manifest } from '../manifest/manifest.js';
import type { Spawn } from '../process/run-tool.js';
import type { Clock } from '../clock.js';
import { hashStream } from './hash-stream.js';
import type { LocatedBackup } from './locate.js';
import { settleReading } from './read-backup.js';
import { openCountedBackup } from './read-counted.js';
import type { BackupUnlocker } from './unlock-backup.js';

/** Inputs of {@link verifyBackup}. */
export interface VerifyInput {
  backup: LocatedBackup;
  engine: DumpEngine;
  quick: boolean;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  emit: Emit;
  clock: Clock;
  /** Opens an encrypted backup; without it only size and checksum can be checked. */
  unlocker?: BackupUnlocker;
}

/** What a verify found; a failure throws instead. */
export interface VerifyResult {
  file: string;
  database: string;
  checks: string[];
  structure: StructureReport | null;
  encrypted: boolean;
  /** What could not be checked, and why (an encrypted backup without its key). */
  notChecked: string[];
}

/** Runs the checks; throws a data error (65) at the first one that fails. */
export async function verifyBackup(input: VerifyInput): Promise<VerifyResult> {
  const { backup, quick } = input;
  const manifest = requireManifest(backup);
  const checks: string[] = [];

  if (backup.size !== manifest.sizes.stored) {
    throw new UserError(
      `backup '${backup.dataName}' is ${backup.size} bytes but its manifest says ${manifest.sizes.stored}`,
      { code: ExitCode.data, hint: 'The file is truncated or was changed; use another backup.' },
    );
  }
  checks.push(`size ${backup.size} bytes matches the manifest`);

  const result = { file: backup.dataPath, database: manifest.database, checks, structure: null };
  const encrypted = isEncrypted(manifest);
  const isLocked = isEncrypted(manifest) && input.unlocker === undefined;
  if (quick || isLocked) {
    const mismatch = await checksumMismatch(backup, manifest);
    if (mismatch !== undefined) throw mismatch;
    checks.push('sha256 matches the manifest');
    // --quick asked for no more than this; a full verify without the key says what it missed.
    const notChecked = isLocked && !quick ? lockedNotChecked(manifest) : [];
    for (const note of notChecked) input.emit({ kind: 'warning', text: `not checked: ${note}` });
    return { ...result, encrypted, notChecked };
  }

  // A wrong key must say so (77) before the stream starts, not surface as a broken dump.
  if (input.unlocker !== undefined) await input.unlocker.check(backup.storage);
  const structure = await readWhole(input, manifest);
  checks.push('sha256 matches the manifest');
  if (encrypted) checks.push('decrypted the age stream to its end, every chunk authenticated');
  checks.push(`decompressed ${manifest.compression.algorithm} stream to its end`);
  if (structure.missingTables.length > 0) {
    throw new UserError(`backup lacks data for ${structure.missingTables.length} table(s)`, {
      code: ExitCode.data,
      hint: `Missing: ${structure.missingTables.slice(0, 10).join(', ')}.`,
    });
  }
  checks.push(
    `dump structure complete: ${structure.entries} entries, data for ${structure.tablesWithData} table(s)`,
  );
  return { ...result, structure, encrypted, notChecked: [] };
}

function lockedNotChecked(manifest: Manifest): string[] {
  if (!isEncrypted(manifest)) return [];
  return [
    'decryption, decompression and the dump structure: the backup is encrypted to ' +
      `${describeNeededKey(manifest.encryption)} and no key was given ` +
      '(pass --identity FILE or the passphrase)',
  ];
}

async function readWhole(input: VerifyInput, manifest: Manifest): Promise<StructureReport> {
  const { backup, engine, spawn, env, emit, clock } = input;
  const started = clock.now().getTime();
  const { reader, counted } = openCountedBackup({
    backup,
    manifest,
    unlocker: input.unlocker,
    spawn,
    env,
    emit,
    clock,
    phase: 'verify',
    database: manifest.database,
    startedMs: started,
  });

  try {
    const checked = engine.checkStructure(counted, manifest);
    // pg_restore stopping at damaged data must not leave zstd blocked on a full pipe, which
    // kept the process from ever exiting.
    checked.catch(() => reader.stream.destroy());
    const structure = await settleReading(checked, reader);
    reader.assertChecksum();
    return structure;
  } catch (error) {
    // A damaged file usually makes the decompressor or pg_restore fail before the hash ends;
    // the checksum then names the real cause, with the tool's complaint as detail.
    throw (await checksumMismatch(backup, manifest, error)) ?? error;
  }
}

/** The checksum error of a stored file, or undefined when its SHA-256 matches the manifest. */
export async function checksumMismatch(
  backup: LocatedBackup,
  manifest: Manifest,
  cause?: unknown,
): Promise<UserError | undefined> {
  const { sha256 } = await hashStream(backup.storage.open(backup.dataName));
  if (sha256 === manifest.checksum.value) return undefined;
  return new UserError(`backup '${backup.dataName}' does not match its checksum`, {
    code: ExitCode.data,
    hint: 'The file is corrupt or was changed; use another backup.',
    detail: cause instanceof Error ? cause.message : undefined,
    cause,
  });
}

/** The manifest of a located backup, or a clear error when there is none. */
export function requireManifest(backup: LocatedBackup): Manifest {
  if (backup.manifest !== undefined) return backup.manifest;
  throw new UserError(`backup '${backup.dataName}' has no manifest`, {
    code: ExitCode.noInput,
    hint:
      'Without its .manifest.json there is no size or checksum to check it against. By hand: ' +
      '`zstd -t FILE` (or gzip -t) proves the compression intact; `zstd -dc FILE | pg_restore ' +
      '--list >/dev/null` reads a PostgreSQL dump to its end; a MySQL dump ends with a ' +
      '`-- Dump completed` line. `restore single FILE --no-verify --target NAME` restores it.',
  });
}
