// Executes a planned single-database restore and proves the result against the manifest.
import type { Clock } from '../clock.js';
import type { DumpEngine } from '../engines/engine.js';
import { ExitCode, UserError } from '../errors.js';
import type { Emit } from '../events/events.js';
import type { Manifest, TableFingerprint } from '../manifest/manifest.js';
import type { Spawn } from '../process/run-tool.js';
import type { LocatedBackup } from './locate.js';
import { openOsPipe } from '../process/os-pipe.js';
import { bytesWrittenBy } from '../process/proc-io.js';
import { pollProgress, progressCounter } from './progress.js';
import { settleReading } from './read-backup.js';
import {
  DamageAfterRestore,
  openBackupInto,
  settlePiped,
  type PipedBackup,
} from './read-backup-into.js';
import { openCountedBackup } from './read-counted.js';
import { firstFailure, type RestorePlan } from './restore-plan.js';
import type { BackupUnlocker } from './unlock-backup.js';

/** Inputs of {@link executeRestore}. */
export interface ExecuteRestoreInput {
  plan: RestorePlan;
  backup: LocatedBackup;
  manifest: Manifest;
  engine: DumpEngine;
  clean: boolean;
  jobs: number;
  noOwner: boolean;
  workdir: string;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  emit: Emit;
  clock: Clock;
  /** Opens an encrypted backup; the same one the plan checked the key with. */
  unlocker?: BackupUnlocker;
}

/** The outcome of a restore that finished. */
export interface RestoreResult {
  target: string;
  durationMs: number;
  tablesCompared: number;
}

/** Runs the restore. A failure leaves a created target dropped and says what happened. */
export async function executeRestore(input: ExecuteRestoreInput): Promise<RestoreResult> {
  const { plan, engine, clock, emit } = input;
  const blocked = firstFailure(plan);
  if (blocked !== undefined) throw blocked;
  for (const check of plan.checks) {
    if (check.warning !== undefined) emit({ kind: 'warning', text: check.warning });
  }

  const started = clock.now().getTime();
  const created = plan.targetState === 'missing';
  if (created) await engine.createDatabase(plan.target);
  emit({ kind: 'step', text: `restoring '${plan.database}' into '${plan.target}'` });

  try {
    await streamInto(input, started);
  } catch (error) {
    throw await explainFailure(input, created, error);
  }

  const compared = await compareCounts(input);
  return {
    target: plan.target,
    durationMs: clock.now().getTime() - started,
    tablesCompared: compared,
  };
}

async function streamInto(input: ExecuteRestoreInput, started: number): Promise<void> {
  const { manifest, engine } = input;
  if (engine.restoreFromPipe !== undefined && manifest.compression.algorithm === 'zstd') {
    await pipeInto(input, started, engine.restoreFromPipe.bind(engine));
    return;
  }
  const { plan, backup, spawn, env, emit, clock } = input;
  const { reader, counted } = openCountedBackup({
    backup,
    manifest,
    unlocker: input.unlocker,
    spawn,
    env,
    emit,
    clock,
    phase: 'restore',
    database: plan.target,
    startedMs: started,
  });

  const restored = engine.restore({
    input: counted,
    target: plan.target,
    manifest,
    clean: input.clean,
    jobs: input.jobs,
    noOwner: input.noOwner,
    workdir: input.workdir,
  });
  // A restore that stops early must not leave the decompressor blocked on a full pipe.
  restored.catch(() => reader.stream.destroy());
  await settleReading(restored, reader);
}

/**
 * zstd decompresses into a kernel pipe the restore tool (or its staging copy) reads: node only
 * reads (and decrypts) the stored bytes, a tenth of the dump's. Progress comes from what zstd
 * has written.
 */
async function pipeInto(
  input: ExecuteRestoreInput,
  started: number,
  restoreFromPipe: NonNullable<DumpEngine['restoreFromPipe']>,
): Promise<void> {
  const { plan, backup, manifest, spawn, env, emit, clock } = input;
  const pipe = await openOsPipe({ spawn, env });
  let reader: PipedBackup;
  try {
    const { storage, dataName: name } = backup;
    const unlock = input.unlocker?.unlock;
    reader = openBackupInto({ storage, name, manifest, spawn, env, unlock }, pipe.write);
  } catch (error) {
    pipe.close();
    throw error;
  } finally {
    pipe.close('write');
  }
  const count = progressCounter({
    emit,
    clock,
    phase: 'restore',
    database: plan.target,
    totalBytes: manifest.sizes.dump > 0 ? manifest.sizes.dump : null,
    startedMs: started,
  });
  const stopPolling = pollProgress(count, () => bytesWrittenBy(reader.pid));
  try {
    const { clean, jobs, noOwner, workdir } = input;
    const options = { target: plan.target, manifest, clean, jobs, noOwner, workdir };
    const stop = new AbortController();
    const taken = () => pipe.close('read');
    const complete = reader.done;
    const pipeInput = { fd: pipe.read, taken, signal: stop.signal, complete };
    const restored = restoreFromPipe(options, pipeInput);
    await settlePiped(restored, reader, () => stop.abort());
    if (manifest.sizes.dump > 0) count.report(manifest.sizes.dump);
  } finally {
    stopPolling();
    pipe.close();
  }
}

async function explainFailure(input: ExecuteRestoreInput, created: boolean, error: unknown) {
  const { engine, plan, jobs } = input;
  if (!(error instanceof UserError)) {
    // Whatever stopped the restore (a signal, a bug), a database it created goes again.
    if (created) await engine.dropDatabase(plan.target).catch(() => undefined);
    return error;
  }

  let state: string;
  let loadedAny = false;
  const atomic = engine.isRestoreAtomic(jobs);
  const damagedLate = error instanceof DamageAfterRestore;
  if (damagedLate) {
    state = 'the restore tool had read its whole dump and committed before the damage was found';
  } else if (atomic) {
    state = 'nothing was changed: the restore runs in one transaction, which a failure rolls back';
  } else {
    const loaded = await engine.countRows(plan.target).catch(() => []);
    const list = loaded.map((t) => `${t.schema}.${t.name} ${t.rows} rows`).join(', ');
    loadedAny = loaded.length > 0;
    state = `loaded before the failure: ${list === '' ? 'nothing' : list}`;
  }
  if (created) {
    await engine.dropDatabase(plan.target).catch(() => undefined);
    state += `; the database '${plan.target}' created for the restore was dropped`;
  } else if (damagedLate) {
    state += `; '${plan.target}' holds that data: check it, or restore a sound backup with --clean`;
  } else if (!atomic && loadedAny) {
    state += `; '${plan.target}' is partly restored`;
  }

  const detail = [error.detail, state].filter((part) => part !== undefined).join('\n');
  return new UserError(`restore into '${plan.target}' failed: ${error.message}`, {
    code: error.code,
    hint: error.hint ?? 'Fix the cause shown above and run the restore again.',
    detail,
    cause: error,
  });
}

async function compareCounts({ engine, plan, manifest }: ExecuteRestoreInput): Promise<number> {
  const expected = manifest.fingerprint.tables;
  if (expected.length === 0) return 0;
  const actual = await engine.countRows(plan.target);
  const mismatches = diffCounts(expected, actual);
  if (mismatches.length > 0) {
    throw new UserError(
      `restored '${plan.target}' differs from the backup in ${mismatches.length} table(s)`,
      {
        code: ExitCode.data,
        hint: 'The restored data does not match the backup; do not use it.',
        detail: mismatches.join('\n'),
      },
    );
  }
  return expected.length;
}

/** Lists the tables whose row counts differ, as lines for people. */
export function diffCounts(expected: TableFingerprint[], actual: TableFingerprint[]): string[] {
  const key = (t: TableFingerprint) => `${t.schema}.${t.name}`;
  const found = new Map(actual.map((t) => [key(t), t.rows]));
  return expected.flatMap((t) => {
    const rows = found.get(key(t));
    if (rows === t.rows) return [];
    return [`${key(t)}: expected ${t.rows} rows, found ${rows === undefined ? 'no table' : rows}`];
  });
}
