// Records every backup, verify and restore in the journal and the catalog, as the commands
// finish. A missing or unwritable catalog never fails the run: it prints a warning instead.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { appendJournal, journalPathOf, type JournalEntry } from '../catalog/journal.js';
import { catalogPathOf, openCatalog } from '../catalog/open.js';
import { failedRecord, recordFromManifest, type RunRecord } from '../catalog/records.js';
import { setRecords } from '../catalog/set-records.js';
import { putBackups, putRuns, putSet } from '../catalog/store.js';
import { redact, Secret } from '../config/secret.js';
import { ExitCode, isUserError } from '../errors.js';
import { readSet, setPrefix } from '../jobs/cluster/set-store.js';
import type { LocatedBackup } from '../jobs/locate.js';
import { setFiles } from '../manifest/set-manifest.js';
import type { Manifest } from '../manifest/manifest.js';
import type { CommandContext } from './context.js';
import { stringOption } from './context.js';

/** The catalog file that indexes a directory: `--catalog` for the backup directory. */
export function catalogPathFor(ctx: CommandContext, directory: string): string {
  const backupDir = resolve(stringOption(ctx, 'backup-dir') ?? '.');
  const option = stringOption(ctx, 'catalog');
  const chosen = resolve(directory) === backupDir ? option : undefined;
  return resolve(catalogPathOf(directory, chosen));
}

/** Adds a finished backup. */
export function recordBackup(ctx: CommandContext, directory: string, manifest: Manifest): void {
  writeCatalog(ctx, directory, (catalog) => putBackups(catalog, [recordFromManifest(manifest)]));
}

/** Adds or refreshes a set written (or resumed) in `directory`, with all its members. */
export async function recordSet(ctx: CommandContext, directory: string, name: string) {
  try {
    const set = await readSet(join(directory, name), name);
    if (set.problem !== undefined) throw new Error(set.problem);
    const records = await setRecords(set);
    writeCatalog(ctx, directory, (catalog) => putSet(catalog, name, records));
  } catch (error) {
    warn(ctx, `set '${name}' was not added to the catalog: ${describeError(error).message}`);
  }
}

/** What is known of a backup attempt that failed. */
export interface FailedBackup {
  engine: string;
  /** The database; empty for a cluster run. */
  database: string;
  startedAt: Date;
  error: unknown;
  /** `single` (the default) or `cluster`. */
  kind?: string;
  /** The server, when the run got far enough to know it. */
  host?: string;
}

/** Adds a failed backup attempt: to the journal (the source of truth) and the catalog. */
export async function recordFailedBackup(
  ctx: CommandContext,
  directory: string,
  failed: FailedBackup,
): Promise<void> {
  const { code, message } = describeFailure(ctx, failed.error);
  const id = `failed-${randomUUID()}`;
  const record = failedRecord({
    id,
    kind: failed.kind ?? 'single',
    setId: null,
    engine: failed.engine,
    database: failed.database,
    host: failed.host ?? null,
    startedAt: failed.startedAt.toISOString(),
    finishedAt: ctx.clock.now().toISOString(),
    errorCode: code,
    error: message,
  });
  const journal = await tryJournal(directory, { v: 1, type: 'failed-backup', record });
  const catalog = tryCatalog(ctx, directory, (opened) => putBackups(opened, [record]));
  const problem = journal ?? catalog;
  // The error above already says what failed, often this very directory: one line, and not
  // the hint that the backups are unaffected, which would read oddly after a failed backup.
  if (problem !== undefined) {
    ctx.output.emit({ kind: 'warning', text: `this failed attempt was not recorded: ${problem}` });
  }
}

/** What a verify or restore run did. */
export interface FinishedRun {
  file: string;
  action: RunRecord['action'];
  depth: RunRecord['depth'];
  startedAt: Date;
  target?: string;
  /** The error, when the run failed. */
  error?: unknown;
}

/** Adds a verify or restore run. */
export async function recordRun(ctx: CommandContext, directory: string, run: FinishedRun) {
  const failure = run.error === undefined ? undefined : describeFailure(ctx, run.error);
  const now = ctx.clock.now();
  const record: RunRecord = {
    id: `run-${randomUUID()}`,
    file: run.file,
    action: run.action,
    depth: run.depth,
    ok: failure === undefined,
    at: now.toISOString(),
    durationMs: now.getTime() - run.startedAt.getTime(),
    target: run.target ?? null,
    errorCode: failure?.code ?? null,
    error: failure?.message ?? null,
  };
  await writeJournal(ctx, directory, { v: 1, type: 'run', record });
  writeCatalog(ctx, directory, (catalog) => putRuns(catalog, [record]));
}

function writeCatalog(
  ctx: CommandContext,
  directory: string,
  write: (catalog: ReturnType<typeof openCatalog>) => void,
): void {
  const problem = tryCatalog(ctx, directory, write);
  if (problem !== undefined) warn(ctx, problem);
}

async function writeJournal(ctx: CommandContext, directory: string, entry: JournalEntry) {
  const problem = await tryJournal(directory, entry);
  if (problem !== undefined) warn(ctx, problem);
}

/** Writes to the catalog; what went wrong, or undefined. */
function tryCatalog(
  ctx: CommandContext,
  directory: string,
  write: (catalog: ReturnType<typeof openCatalog>) => void,
): string | undefined {
  const path = catalogPathFor(ctx, directory);
  try {
    const catalog = openCatalog(path);
    try {
      write(catalog);
    } finally {
      catalog.close();
    }
    return undefined;
  } catch (error) {
    return `catalog '${path}' was not updated: ${describeError(error).message}`;
  }
}

/** Appends to the journal; what went wrong, or undefined. */
async function tryJournal(directory: string, entry: JournalEntry): Promise<string | undefined> {
  const path = journalPathOf(directory);
  try {
    await appendJournal(path, entry);
    return undefined;
  } catch (error) {
    return `journal '${path}' was not updated: ${describeError(error).message}`;
  }
}

function warn(ctx: CommandContext, text: string): void {
  ctx.output.emit({ kind: 'warning', text });
  ctx.output.emit({
    kind: 'step',
    text: 'hint: The backups themselves are unaffected; run `dbbackup catalog sync` once the catalog is writable.',
  });
}

/** An error as the exit code and one line the catalog keeps. */
export function describeError(error: unknown): { code: number; message: string } {
  if (isUserError(error)) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: ExitCode.failure, message };
}

// A run stopped by a signal fails with whatever its killed tools reported; the journal keeps
// that it was interrupted (code 130 for SIGINT and SIGTERM alike, as the catalog counts them).
function describeFailure(ctx: CommandContext, error: unknown): { code: number; message: string } {
  const raw = describeError(error);
  // What the journal and the catalog keep never holds a secret, whatever a message quoted.
  const secrets = [...ctx.config.values.values()].filter((v): v is Secret => v instanceof Secret);
  const described = { ...raw, message: redact(raw.message, secrets) };
  if (!ctx.signal.aborted) return described;
  const reason: unknown = ctx.signal.reason;
  const why = reason instanceof Error ? reason.message : 'interrupted';
  return { code: ExitCode.interrupted, message: `${why}: ${described.message}` };
}

/** A verify or restore being run against a located backup. */
export interface RunAttempt {
  /** Records the failure, then rethrows the error (use as a promise's `catch`). */
  failed: (error: unknown) => Promise<never>;
  /**
   * Records the success; `depth` replaces the planned one when the run checked less (a verify
   * of an encrypted backup without its key checks only size and checksum: `quick`).
   */
  succeeded: (depth?: RunRecord['depth']) => Promise<void>;
}

/** What {@link beginRun} needs to know of the backup. */
export interface RunSubject {
  directory: string;
  file: string;
  /** Runs are recorded only for backups with a manifest (the catalog lists no others). */
  hasManifest: boolean;
  action: RunRecord['action'];
  depth: RunRecord['depth'];
  target?: string;
}

/** Starts recording one verify or restore run: its start time is now. */
export function beginRun(ctx: CommandContext, subject: RunSubject): RunAttempt {
  const startedAt = ctx.clock.now();
  const { directory, hasManifest, ...run } = subject;
  const save = async (error?: unknown, depth = run.depth) => {
    if (hasManifest) await recordRun(ctx, directory, { ...run, depth, startedAt, error });
  };
  return {
    async failed(error) {
      await save(error);
      throw error;
    },
    succeeded: (depth) => save(undefined, depth),
  };
}

/**
 * Where a located backup is catalogued: its own directory and name, or for a member of a set
 * the backup directory holding the set and `SET/FILE`.
 */
export function catalogHomeOf(backup: LocatedBackup): { directory: string; file: string } {
  const dir = backup.storage.location;
  const set = basename(dir);
  const isSet =
    set.startsWith(setPrefix) &&
    (existsSync(join(dir, setFiles.plan)) || existsSync(join(dir, setFiles.manifest)));
  if (!isSet) return { directory: dir, file: backup.dataName };
  return { directory: dirname(dir), file: `${set}/${backup.dataName}` };
}

/** The run subject of a located backup. */
export function runSubjectOf(
  backup: LocatedBackup,
  action: RunRecord['action'],
  depth: RunRecord['depth'],
  target?: string,
): RunSubject {
  return {
    ...catalogHomeOf(backup),
    hasManifest: backup.manifest !== undefined,
    action,
    depth,
    target,
  };
}
