// Plans a single-database restore: what will happen and every check, before anything changes.
import type { Check, DumpEngine } from '../engines/engine.js';
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
  const { backup, manifest, engine, target } = input;
  const checks: Check[] = [checkEngine(input), await checkChecksum(input)];
  const key = await checkKey(backup, manifest, input.unlocker);
  if (key !== undefined) checks.push(key);

  await engine.probeServer();
  const { state, check } = await checkTarget(input);
  checks.push(check);
  checks.push(...(await engine.checkRestore(manifest, target, input.noOwner)));

  const actions: string[] = [];
  if (state === 'missing') actions.push(`create database '${target}'`);
  if (state === 'has-objects')
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

/** The error of the first failing check, if any. */
export function firstFailure(plan: RestorePlan): Error | undefined {
  return plan.checks.find((c) => !c.ok)?.error;
}

function checkEngine({ manifest, engine }: PlanRestoreInput): Check {
  if (manifest.engine === engine.type && manifest.dumpFormat === engine.dumpFormat) {
    return { name: 'engine', ok: true, detail: `${manifest.engine} ${manifest.dumpFormat}` };
  }
  const detail = `backup is a ${manifest.engine} ${manifest.dumpFormat} dump, not ${engine.type}`;
  return fail('engine', detail, ExitCode.data, 'Restore it with the matching --db-type.');
}

async function checkChecksum({ backup, manifest, hasManifest, verify }: PlanRestoreInput) {
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
  const { sha256 } = await hashStream(backup.storage.open(backup.dataName));
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

function fail(name: string, detail: string, code: UserError['code'], hint: string): Check {
  return { name, ok: false, detail, error: new UserError(detail, { code, hint }) };
}
