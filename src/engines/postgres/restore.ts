// Runs pg_restore from a stream: one transaction by default, staged file for --jobs.
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError, fileError } from '../../errors.js';
import { tempName } from '../../plan/temp-name.js';
import { makeDirectory } from '../../storage/local/make-dir.js';
import { runIntoTool, runPipeline } from '../../pipeline/pipeline.js';
import { startTool, stdinOf, type ToolRun } from '../../process/run-tool.js';
import type { EngineDeps, PipeInput, RestoreOptions } from '../engine.js';
import { addDataOffsets } from './custom-archive/data-offsets.js';
import { childEnv, connectionArgs, dbnameConninfo } from './conninfo.js';
import { classifyToolFailure } from './errors.js';

type RunRestoreOptions = EngineDeps & RestoreOptions;
type PipeRestoreOptions = EngineDeps & Omit<RestoreOptions, 'input'>;

/**
 * Restores a custom-format stream into `target`. With one job it runs in a single transaction
 * (any error rolls everything back); with more it stages the stream in a private file so
 * pg_restore can work in parallel, and removes that file afterwards.
 */
export async function runRestore(options: RunRestoreOptions): Promise<void> {
  const args = baseArgs(options);
  if (options.jobs <= 1) {
    await restoreFromStream(options, [...args, '--single-transaction']);
    return;
  }
  const staged = await stage(options.input, options.workdir);
  try {
    await indexStaged(staged);
    await restoreTool(options, [...args, `--jobs=${options.jobs}`, staged], 'ignore').done;
  } finally {
    await fs.rm(staged, { force: true });
  }
}

/**
 * Restores from a pipe it is handed: with one job pg_restore reads the pipe in one transaction;
 * with more, `cat` copies the pipe into a private staging file, and once the whole input has
 * arrived intact pg_restore works on that file in parallel.
 */
export async function runRestoreFromPipe(
  options: PipeRestoreOptions,
  input: PipeInput,
): Promise<void> {
  if (options.jobs > 1) {
    const staged = await stageFromPipe(options, input);
    try {
      await input.complete;
      await indexStaged(staged);
      const args = [...baseArgs(options), `--jobs=${options.jobs}`, staged];
      await restoreTool(options, args, 'ignore').done;
    } finally {
      await fs.rm(staged, { force: true });
    }
    return;
  }
  const run = restoreTool(options, [...baseArgs(options), '--single-transaction'], input.fd);
  input.taken();
  // Killed before its COMMIT, pg_restore leaves the server to roll the transaction back.
  const stop = () => run.child.kill('SIGTERM');
  if (input.signal.aborted) stop();
  input.signal.addEventListener('abort', stop, { once: true });
  try {
    await run.done;
  } finally {
    input.signal.removeEventListener('abort', stop);
  }
}

/**
 * Gives the staged archive the data offsets a piped pg_dump could not write, so each pg_restore
 * worker seeks to its table instead of reading through all the data before it (1.1 GB: 0.3 s
 * here, against seconds of rereading). An archive it does not understand is restored as is.
 */
async function indexStaged(path: string): Promise<void> {
  await addDataOffsets(path).catch((error: unknown) => {
    throw fileError('read staging file', path, error);
  });
}

function baseArgs({ connection, target, clean, noOwner }: PipeRestoreOptions): string[] {
  const args = ['--exit-on-error', '--no-password', ...connectionArgs(connection)];
  args.push(`--dbname=${dbnameConninfo(target)}`);
  if (clean) args.push('--clean', '--if-exists');
  if (noOwner) args.push('--no-owner', '--no-privileges');
  return args;
}

async function restoreFromStream(options: RunRestoreOptions, args: string[]): Promise<void> {
  const run = restoreTool(options, args, 'pipe');
  await runIntoTool({
    source: options.input,
    stages: [],
    sink: stdinOf(run),
    parts: [{ name: 'pg_restore', done: run.done }],
    tool: run.done,
  });
}

function restoreTool(
  { connection, spawn, env }: PipeRestoreOptions,
  args: string[],
  stdin: 'pipe' | 'ignore' | number,
): ToolRun {
  return startTool({
    spawn,
    tool: 'pg_restore',
    args,
    env: childEnv(connection, env),
    stdin,
    stdout: 'ignore',
    classify: classifyToolFailure,
  });
}

/** Copies the pipe into a staging file with `cat`, so the bytes skip node here too. */
async function stageFromPipe(options: PipeRestoreOptions, input: PipeInput): Promise<string> {
  const { path, handle } = await createStagingFile(options.workdir);
  try {
    const copy = startTool({
      spawn: options.spawn,
      tool: 'cat',
      args: [],
      env: options.env,
      stdin: input.fd,
      stdout: handle.fd,
    });
    input.taken();
    const stop = () => copy.child.kill('SIGTERM');
    input.signal.addEventListener('abort', stop, { once: true });
    try {
      await copy.done;
    } finally {
      input.signal.removeEventListener('abort', stop);
    }
    await handle.close();
    return path;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(path, { force: true });
    throw error instanceof UserError ? error : fileError('write staging file', path, error);
  }
}

async function createStagingFile(workdir: string) {
  await makeDirectory(workdir).catch((error: unknown) => {
    throw fileError('create work directory', workdir, error);
  });
  const path = join(workdir, tempName('restore.pgdump'));
  const handle = await fs.open(path, 'wx', 0o600).catch((error: unknown) => {
    throw fileError('create staging file', path, error);
  });
  return { path, handle };
}

async function stage(input: Readable, workdir: string): Promise<string> {
  const { path, handle } = await createStagingFile(workdir);
  // The stream takes the FileHandle itself: given only handle.fd, both would close it, and the
  // handle's close on garbage collection then crashes the process with EBADF.
  const sink = createWriteStream('', { fd: handle, highWaterMark: 1 << 20 });
  try {
    await runPipeline({ source: input, stages: [], sink, parts: [] });
  } catch (error) {
    await fs.rm(path, { force: true });
    throw error instanceof UserError ? error : fileError('write staging file', path, error);
  }
  return path;
}
