// Executes a planned cluster restore: globals first, then each database N at a time.
import type { Readable } from 'node:stream';
import type { Clock } from '../../clock.js';
import type { DumpEngine } from '../../engines/engine.js';
import { isUserError } from '../../errors.js';
import type { Emit } from '../../events/events.js';
import type { Manifest } from '../../manifest/manifest.js';
import type { Spawn } from '../../process/run-tool.js';
import type { LocatedBackup } from '../locate.js';
import { openBackup } from '../read-backup.js';
import { planRestore } from '../restore-plan.js';
import { executeRestore } from '../restore-single.js';
import { runPool } from './pool.js';
import {
  firstClusterFailure,
  type ClusterRestorePlan,
  type MemberPlan,
} from './restore-cluster-plan.js';
import type { RestoreJournal } from './restore-journal.js';
import { SetProgress } from './set-progress.js';

/** Inputs of {@link executeClusterRestore}. */
export interface ExecuteClusterInput {
  plan: ClusterRestorePlan;
  /** The engine, built with a session budget of `jobs` + 1. */
  engine: DumpEngine;
  journal: RestoreJournal;
  jobs: number;
  workdir: string;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  emit: Emit;
  clock: Clock;
}

/** How each database of a cluster restore ended. */
export interface ClusterRestoreResult {
  /** Roles and tablespaces that existed and were kept and altered. */
  kept: string[];
  restored: string[];
  skipped: string[];
  failed: { database: string; code: number; message: string; hint: string | null }[];
  bugs: unknown[];
  durationMs: number;
}

/**
 * Restores the globals (a failure there stops everything: no database is touched), then the
 * databases. A database that fails does not stop the others; one this run created is dropped
 * again, so a rerun finds either nothing or a database it may redo.
 */
export async function executeClusterRestore(
  input: ExecuteClusterInput,
): Promise<ClusterRestoreResult> {
  const { plan, engine, emit, clock } = input;
  const blocked = firstClusterFailure(plan);
  if (blocked !== undefined) throw blocked;
  const started = clock.now().getTime();
  for (const check of plan.checks) {
    if (check.ok && check.warning !== undefined) emit({ kind: 'warning', text: check.warning });
  }

  emit({ kind: 'member', phase: 'restore', database: null, status: 'started' });
  // A cut or corrupt globals stream must fail here, not pass as a shorter script.
  const globals = openReader(input, plan.globals);
  const [{ kept }] = await Promise.all([engine.restoreGlobals(globals.stream), globals.done]);
  if (kept.length > 0) {
    emit({ kind: 'step', text: `kept and altered what already existed: ${kept.join(', ')}` });
  }
  emit({ kind: 'member', phase: 'restore', database: null, status: 'complete' });

  const result: ClusterRestoreResult = {
    kept,
    restored: [],
    skipped: [],
    failed: [],
    bugs: [],
    durationMs: 0,
  };
  const sizes = new Map(plan.members.map((m) => [m.database, m.sizeBytes]));
  const progress = new SetProgress({ emit, clock, phase: 'restore', sizes });
  await runPool(plan.members, input.jobs, async (member) => {
    await restoreMember(input, member, progress, result);
  });
  await finishGlobals(input, [...result.restored, ...result.skipped]);

  if (result.failed.length === 0) await input.journal.remove();
  result.durationMs = clock.now().getTime() - started;
  return result;
}

// Grants on tables and routines (MySQL) need their databases: they come last, for those restored.
async function finishGlobals(input: ExecuteClusterInput, databases: string[]): Promise<void> {
  await input.engine.finishGlobals(() => openDump(input, input.plan.globals), databases);
}

async function restoreMember(
  input: ExecuteClusterInput,
  member: MemberPlan,
  progress: SetProgress,
  result: ClusterRestoreResult,
): Promise<void> {
  const { engine, journal, emit } = input;
  const { database, action } = member;
  if (action === 'skip') {
    emit({ kind: 'member', phase: 'restore', database, status: 'kept' });
    result.skipped.push(database);
    progress.finish(database, true);
    return;
  }

  emit({ kind: 'member', phase: 'restore', database, status: 'started' });
  let created = false;
  try {
    if (action === 'recreate') {
      await engine.dropDatabase(database);
      await journal.set(database, undefined);
    }
    if (action === 'create' || action === 'recreate') {
      // Journaled before it exists: a run killed right after creating still owns it.
      await journal.set(database, 'created');
      created = true;
      await engine.createDatabaseFromDump({
        name: database,
        open: () => openDump(input, member.backup),
      });
    }
    await restoreInto(input, member, progress);
    await journal.set(database, 'done');
    emit({ kind: 'member', phase: 'restore', database, status: 'complete' });
    result.restored.push(database);
    progress.finish(database, true);
  } catch (error) {
    if (created) {
      await engine.dropDatabase(database).catch(() => undefined);
      await journal.set(database, undefined).catch(() => undefined);
    }
    const message = error instanceof Error ? error.message : String(error);
    const dropped = created ? `; the database '${database}' created for it was dropped` : '';
    emit({
      kind: 'member',
      phase: 'restore',
      database,
      status: 'failed',
      error: `${message}${dropped}`,
    });
    if (!isUserError(error)) result.bugs.push(error);
    result.failed.push({
      database,
      code: isUserError(error) ? error.code : 1,
      message: `${message}${dropped}`,
      hint: isUserError(error) ? (error.hint ?? null) : null,
    });
    progress.finish(database, false);
  }
}

// The single-database restore does the work: one transaction, then the row counts compared.
async function restoreInto(input: ExecuteClusterInput, member: MemberPlan, progress: SetProgress) {
  const { engine, spawn, env, clock, workdir } = input;
  const manifest = member.backup.manifest as Manifest;
  const plan = await planRestore({
    backup: member.backup,
    manifest,
    hasManifest: true,
    engine,
    target: member.database,
    create: false,
    clean: false,
    noOwner: false,
    // The plan of the set has verified every file already.
    verify: false,
    unlocker: input.plan.unlockers.get(member.backup.dataPath),
  });
  await executeRestore({
    plan,
    backup: member.backup,
    manifest,
    engine,
    clean: false,
    jobs: 1,
    noOwner: false,
    workdir,
    spawn,
    env,
    emit: progress.memberEmit(member.database),
    clock,
    unlocker: input.plan.unlockers.get(member.backup.dataPath),
  });
}

function openReader({ spawn, env, plan }: ExecuteClusterInput, backup: LocatedBackup) {
  return openBackup({
    storage: backup.storage,
    name: backup.dataName,
    manifest: backup.manifest as Manifest,
    spawn,
    env,
    unlock: plan.unlockers.get(backup.dataPath)?.unlock,
  });
}

/** A fresh decompressed stream of a member; reading only part of it is allowed. */
function openDump(input: ExecuteClusterInput, backup: LocatedBackup): Readable {
  const reader = openReader(input, backup);
  reader.done.catch(() => undefined);
  return reader.stream;
}
