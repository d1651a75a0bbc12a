// Plans a single-database restore: what will happen and every check, before anything changes.
import * as fs from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { addAbortSignal } from 'node:stream';
import type { Check, DumpEngine } from '../engines/engine.js';
import { formatBytes } from '../events/format.js';
import { ExitCode, UserError } from '../errors.js';
import type { Manifest } from '../manifest/manifest.js';
import { hashStream } from './hash-stream.js';
import type { LocatedBackup } from './locate.js';
import { checkKey } from './key-check.js';
import type { BackupUnlocker } from './unlock-backup.js';

/** Inputs of {@link planRestore}. */
export interface PlanRestoreInput {
  backup: LocatedBackup;
  manifest: Manifest;
  /** False when the manifest was made up from magic bytes. */
  hasManifest: boolean;
  engine: DumpEngine;
  target: string;
  create: boolean;
  clean: boolean;
  noOwner: boolean;
  verify: boolean;
  /** For an encrypted backup: the keys given, which the plan tries on the file's header. */
  unlocker?: BackupUnlocker;
  /** Parallel restore jobs and where a staged copy would go; without it, no space check. */
  staging?: { jobs: number; workdir: string };
}

/** The plan: the state found, the actions that would run, and the checks. */
export interface RestorePlan {
  source: string;
  database: string;
  target: string;
  targetState: 'missing' | 'empty' | 'has-objects';
  actions: string[];
  checks: Check[];
}

/** Runs every check without changing anything. */
export async function planRestore(input: PlanRestoreInput): Promise<RestorePlan> {
  const { backup, manifest, target } = input;
  // Reading the file and asking the server are independent: run them side by side, and stop
  // reading a large file once the server side has failed.
  const serverFailed = new AbortController();
  const [fileChecks, server] = await Promise.all([
    Promise.all([
      checkChecksum(input, serverFailed.signal),
      checkKey(backup, manifest, input.unlocker),
      checkEnd(input),
    ]),
    checkServerSide(input).catch((error: unknown) => {
      serverFailed.abort();
      throw error;
    }),
  ]);
  const [checksum, key, end] = fileChecks;
  const checks: Check[] = [checkEngine(input), checksum];
  if (key !== undefined) checks.push(key);
  if (end !== undefined) checks.push(end);
  checks.push(...server.checks);
  const state = server.state;

  // Only what would run: a missing target without --create, or a full one without --clean,
  // fails its check instead.
  const actions: string[] = [];
  if (state === 'missing' && input.create) actions.push(`create database '${target}'`);
  if (state === 'has-objects' && input.clean)
    actions.push(`replace the objects of '${target}' that the dump holds`);
  actions.push(`restore '${manifest.database}' from ${backup.dataName} into '${target}'`);
  if (manifest.fingerprint.tables.length > 0) {
    actions.push(`compare row counts of ${manifest.fingerprint.tables.length} table(s)`);
  }
  return {
    source: backup.dataPath,
    database: manifest.database,
    target,
    targetState: state,
    actions,
    checks,
  };
}

/** The checks that ask the server: its reachability, the target's state, tools, space. */
async function checkServerSide(input: PlanRestoreInput) {
  const { engine, manifest, target } = input;
  await engine.probeServer();
  const { state, check } = await checkTarget(input);
  // Another engine's dump fails the engine check; this engine's own checks would mean nothing.
  const sameEngine = manifest.engine === engine.type;
  const own = sameEngine ? await engine.checkRestore(manifest, target, input.noOwner) : [];
  const checks = [check, ...own];
  if (input.staging !== undefined) checks.push(await checkSpace(input, input.staging));
  return { state, checks };
}

/** The error of the first failing check, if any. */
export function firstFailure(plan: RestorePlan): Error | undefined {
  return plan.checks.find((c) => !c.ok)?.error;
}

function checkEngine({ manifest, engine }: PlanRestoreInput): Check {
  if (manifest.engine === engine.type && manifest.dumpFormat === engine.dumpFormat) {
    return { name: 'engine', ok: true, detail: `${manifest.engine} ${manifest.dumpFormat}` };
  }
  const detail = `backup is a ${manifest.engine} ${manifest.dumpFormat} dump, not ${engine.type}`;
  const wanted = manifest.engine === 'postgres' ? 'postgres' : 'mariadb (or mysql)';
  // The backup is sound and the request is wrong: a usage error, which never marks it corrupt.
  return fail('engine', detail, ExitCode.usage, `Restore it with --db-type ${wanted}.`);
}

async function checkChecksum(
  { backup, manifest, hasManifest, verify }: PlanRestoreInput,
  signal: AbortSignal,
) {
  if (!verify) return { name: 'checksum', ok: true, detail: 'skipped (--no-verify)' };
  if (!hasManifest) {
    return fail(
      'checksum',
      'no manifest: the checksum cannot be checked',
      ExitCode.noInput,
      'Restore the manifest beside the file, or pass --no-verify to restore the bare dump.',
    );
  }
  if (backup.size !== manifest.sizes.stored) {
    return fail(
      'checksum',
      `file is ${backup.size} bytes, the manifest says ${manifest.sizes.stored}: truncated or changed`,
      ExitCode.data,
      'Use another backup; this one is damaged.',
    );
  }
  const { sha256 } = await hashStream(addAbortSignal(signal, backup.storage.open(backup.dataName)));
  if (sha256 !== manifest.checksum.value) {
    return fail(
      'checksum',
      'sha256 does not match the manifest: the file is corrupt',
      ExitCode.data,
      'Use another backup; this one is damaged.',
    );
  }
  return { name: 'checksum', ok: true, detail: `sha256 ${sha256.slice(0, 16)}… matches` };
}

const tailBytes = 4096;

/**
 * A stored dump without compression or encryption has nothing that would notice it was cut
 * short while it is read: where the engine's dumps end with a mark, the last bytes must hold
 * it. Absent when the engine has no such mark or a decompressor will check the file's end.
 */
async function checkEnd({ backup, manifest, engine }: PlanRestoreInput) {
  if (engine.dumpEnded === undefined || manifest.dumpFormat !== engine.dumpFormat) return undefined;
  if (manifest.compression.algorithm !== 'none' || manifest.encryption !== null) return undefined;
  const length = Math.min(tailBytes, backup.size);
  const tail = Buffer.alloc(length);
  const file = await fs.open(backup.dataPath, 'r');
  try {
    await file.read(tail, 0, length, backup.size - length);
  } finally {
    await file.close();
  }
  if (engine.dumpEnded(tail, length === backup.size)) {
    return { name: 'dump end', ok: true, detail: 'the dump ends with its completion line' };
  }
  return fail(
    'dump end',
    'the dump does not end with its completion line: it is truncated',
    ExitCode.data,
    'Use another backup. A dump made by mysqldump --skip-comments never has that line; ' +
      'restore such a file with the mariadb or mysql client itself.',
  );
}

async function checkTarget(input: PlanRestoreInput) {
  const { engine, target, create, clean } = input;
  const found = await engine.findDatabase(target);
  if (found === undefined) {
    const check = create
      ? { name: 'target', ok: true, detail: `'${target}' does not exist and will be created` }
      : fail(
          'target',
          `database '${target}' does not exist`,
          ExitCode.noInput,
          'Pass --create to create it, or name an existing database with --target.',
        );
    return { state: 'missing' as const, check };
  }

  const objects = await engine.countObjects(target);
  if (objects === 0) {
    return {
      state: 'empty' as const,
      check: { name: 'target', ok: true, detail: `'${target}' exists and is empty` },
    };
  }
  const check = clean
    ? {
        name: 'target',
        ok: true,
        detail: `'${target}' has ${objects} object(s); --clean replaces those in the dump`,
      }
    : fail(
        'target',
        `database '${target}' is not empty (${objects} objects)`,
        ExitCode.usage,
        'Pass --clean to replace its objects, or restore into another database with --target.',
      );
  return { state: 'has-objects' as const, check };
}

async function checkSpace(
  { engine, manifest }: PlanRestoreInput,
  { jobs, workdir }: { jobs: number; workdir: string },
): Promise<Check> {
  if (engine.stagesRestore?.(jobs) !== true) {
    return {
      name: 'disk space',
      ok: true,
      detail: 'no staging copy: the dump streams into the server',
    };
  }
  const need = manifest.sizes.dump;
  const free = await freeBytes(workdir);
  const detail = `${formatBytes(free)} free in ${workdir} for a ${formatBytes(need)} staging copy`;
  if (free > need) return { name: 'disk space', ok: true, detail };
  return fail(
    'disk space',
    detail,
    ExitCode.io,
    'Free some space, pass --workdir on a larger disk, or use --jobs 1 to stream without a copy.',
  );
}

// The work directory may not exist yet (the restore creates it): its nearest parent counts.
async function freeBytes(path: string): Promise<number> {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const space = await fs.statfs(dir).catch(() => undefined);
    if (space !== undefined) return space.bavail * space.bsize;
    if (dirname(dir) === dir) return 0;
  }
}

function fail(name: string, detail: string, code: UserError['code'], hint: string): Check {
  return { name, ok: false, detail, error: new UserError(detail, { code, hint }) };
}
