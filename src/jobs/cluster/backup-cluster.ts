// The cluster backup: globals first, then every database N at a time, each by backupSingle.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import type { DumpEngine, ServerInfo } from '../../engines/engine.js';
import { ExitCode, isUserError, wrapError } from '../../errors.js';
import type { Emit } from '../../events/events.js';
import {
  formatSetJson,
  setFiles,
  type SetManifest,
  type SetMember,
  type SetPlan,
} from '../../manifest/set-manifest.js';
import { isExcluded } from '../../plan/exclude.js';
import { LocalTarget } from '../../storage/local/local-target.js';
import { backupSingle, type BackupSingleInput } from '../backup-single.js';
import { globalsEngine, globalsLabel, isGlobalsManifest } from './globals-engine.js';
import { runPool } from './pool.js';
import { keepIfVerified, memberEntry } from './reuse-member.js';
import { SetProgress } from './set-progress.js';
import { findResumable, memberFiles, setDirName, type MemberFile } from './set-store.js';

/** What every member's backupSingle gets unchanged (compression, encryption, verify…). */
export type MemberOptions = Omit<
  BackupSingleInput,
  'engine' | 'storage' | 'database' | 'emit' | 'onWritten'
>;

/** Inputs of {@link backupCluster}. */
export interface BackupClusterInput {
  /** The engine, built with a session budget of `jobs` + 1. */
  engine: DumpEngine;
  backupDir: string;
  member: MemberOptions;
  jobs: number;
  exclude: readonly string[];
  resume: boolean;
  emit: Emit;
}

/** A set that was written; `manifest.status` says whether it is complete. */
export interface BackupClusterResult {
  name: string;
  path: string;
  manifest: SetManifest;
  resumed: boolean;
  /** Errors that were bugs, not user errors: the command reports the first as such. */
  bugs: unknown[];
}

/**
 * Writes one set: the plan, the globals, each database (at most `jobs` at once), and the set
 * manifest last. A database that fails does not stop the others; the set is then incomplete.
 * With `resume`, the newest unfinished set of this server is continued instead: members whose
 * files verify are kept, the others are dumped again.
 */
export async function backupCluster(input: BackupClusterInput): Promise<BackupClusterResult> {
  const { engine, emit, member } = input;
  const server = await engine.probeServer();
  const opened = await openSet(input, server);
  const { target, plan } = opened;
  emit({ kind: 'step', text: `${opened.resumed ? 'resuming' : 'writing'} set ${opened.path}` });

  const bugs: unknown[] = [];
  const existing = opened.resumed ? await memberFiles(target) : new Map<string, MemberFile[]>();
  const globals = await backupGlobals(input, target, existing, bugs);

  const sizes = new Map(plan.databases.map((db) => [db.name, db.sizeBytes]));
  const progress = new SetProgress({ emit, clock: member.clock, phase: 'backup', sizes });
  const results = new Map<string, SetMember>();
  await runPool(plan.databases, input.jobs, async ({ name }, release) => {
    if (member.signal?.aborted === true) return;
    const found = (existing.get(name) ?? []).filter((f) => !isGlobalsManifest(f.manifest));
    const job = { input, target, name, found, progress, bugs, onWritten: release };
    const result = await backupMember(job);
    results.set(name, result);
    progress.finish(name, result.status === 'complete');
  });

  const members = plan.databases.map(
    ({ name }): SetMember =>
      results.get(name) ?? {
        database: name,
        status: 'failed',
        error: { code: 130, message: 'not started: the run was interrupted', hint: null },
      },
  );
  const complete = globals.status === 'complete' && members.every((m) => m.status === 'complete');
  const manifest: SetManifest = {
    format: 'dbbackup-manifest',
    version: 1,
    kind: 'cluster',
    status: complete ? 'complete' : 'incomplete',
    engine: engine.type,
    server: plan.server,
    startedAt: plan.startedAt,
    finishedAt: member.clock.now().toISOString(),
    runs: opened.runs,
    exclude: plan.exclude,
    globals,
    members,
  };
  await target.writeSmall(setFiles.manifest, formatSetJson(manifest));
  return { name: opened.name, path: opened.path, manifest, resumed: opened.resumed, bugs };
}

interface OpenedSet {
  name: string;
  path: string;
  target: LocalTarget;
  plan: SetPlan;
  resumed: boolean;
  runs: number;
}

async function openSet(input: BackupClusterInput, server: ServerInfo): Promise<OpenedSet> {
  const { engine, backupDir, emit } = input;
  if (input.resume) {
    const found = await findResumable(backupDir, engine.type, server.host);
    if (found?.plan !== undefined) {
      const target = new LocalTarget(found.path);
      await target.prepare();
      // The set is unfinished again until this run writes its manifest.
      await target.remove(setFiles.manifest);
      const runs = (found.manifest?.runs ?? 1) + 1;
      return { name: found.name, path: found.path, target, plan: found.plan, resumed: true, runs };
    }
    emit({ kind: 'step', text: `no unfinished set of ${server.host} to resume: starting one` });
  }

  const databases = (await engine.listClusterDatabases())
    .filter((db) => !isExcluded(db.name, input.exclude))
    .map((db) => ({ name: db.name, sizeBytes: db.sizeBytes }));
  const startedAt = input.member.clock.now();
  const { name, path } = await createSetDir(backupDir, server.host, startedAt);
  const target = new LocalTarget(path);
  await target.prepare();
  const plan: SetPlan = {
    format: 'dbbackup-set-plan',
    version: 1,
    engine: engine.type,
    server: { flavour: server.flavour, version: server.version, host: server.host },
    startedAt: startedAt.toISOString(),
    exclude: [...input.exclude],
    databases,
  };
  await target.writeSmall(setFiles.plan, formatSetJson(plan));
  return { name, path, target, plan, resumed: false, runs: 1 };
}

async function createSetDir(backupDir: string, host: string, startedAt: Date) {
  for (let sequence = 1; ; sequence += 1) {
    const name = setDirName(host, startedAt, sequence);
    const path = join(backupDir, name);
    try {
      await fs.mkdir(path, { mode: 0o700 });
      return { name, path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw wrapError(`unable to create set directory '${path}'`, error);
      }
    }
  }
}

async function backupGlobals(
  input: BackupClusterInput,
  target: LocalTarget,
  existing: Map<string, MemberFile[]>,
  bugs: unknown[],
): Promise<SetMember> {
  const { emit, member } = input;
  const found = (existing.get(globalsLabel) ?? []).filter((f) => isGlobalsManifest(f.manifest));
  const kept = await keepIfVerified(target, found, null);
  if (kept !== undefined) {
    emit({ kind: 'member', phase: 'backup', database: null, status: 'kept' });
    return kept;
  }

  emit({ kind: 'member', phase: 'backup', database: null, status: 'started' });
  const adapter = globalsEngine(input.engine);
  try {
    const result = await backupSingle({
      ...member,
      engine: adapter.engine,
      storage: target,
      database: globalsLabel,
      emit,
    });
    const warnings = adapter.facts()?.warnings ?? [];
    for (const text of warnings) emit({ kind: 'warning', text });
    emit({ kind: 'member', phase: 'backup', database: null, status: 'complete' });
    return memberEntry({
      database: null,
      file: result.file,
      manifest: result.manifest,
      kept: false,
      warnings,
    });
  } catch (error) {
    return failed(null, error, emit, bugs, member.signal);
  }
}

interface MemberJob {
  input: BackupClusterInput;
  target: LocalTarget;
  name: string;
  found: MemberFile[];
  progress: SetProgress;
  bugs: unknown[];
  /** Called when the dump is written, before it is re-read and published. */
  onWritten: () => void;
}

async function backupMember(job: MemberJob) {
  const { input, target, name, found, progress, bugs, onWritten } = job;
  const { emit, member } = input;
  const kept = await keepIfVerified(target, found, name);
  if (kept !== undefined) {
    emit({ kind: 'member', phase: 'backup', database: name, status: 'kept' });
    return kept;
  }

  emit({ kind: 'member', phase: 'backup', database: name, status: 'started' });
  try {
    const result = await backupSingle({
      ...member,
      engine: input.engine,
      storage: target,
      database: name,
      emit: progress.memberEmit(name),
      onWritten,
    });
    emit({ kind: 'member', phase: 'backup', database: name, status: 'complete' });
    return memberEntry({
      database: name,
      file: result.file,
      manifest: result.manifest,
      kept: false,
    });
  } catch (error) {
    return failed(name, error, emit, bugs, member.signal);
  }
}

function failed(
  database: string | null,
  error: unknown,
  emit: Emit,
  bugs: unknown[],
  signal: AbortSignal | undefined,
): SetMember {
  // A member stopped by Ctrl+C or SIGTERM failed because of the signal, not of its own error.
  const interrupted = signal?.aborted === true;
  if (!isUserError(error) && !interrupted) bugs.push(error);
  const reason = error instanceof Error ? error.message : String(error);
  const message = interrupted ? `interrupted: ${reason}` : reason;
  emit({ kind: 'member', phase: 'backup', database, status: 'failed', error: message });
  return {
    database,
    status: 'failed',
    error: {
      code: interrupted ? ExitCode.interrupted : isUserError(error) ? error.code : 1,
      message,
      hint: isUserError(error) ? (error.hint ?? null) : null,
    },
  };
}
