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
    await restoreTool(options, [...args, `--jobs=${options.jobs}`, staged], 'ignore').done;
  } finally {
    await fs.rm(staged, { force: true });
  }
}

/** Restores in one transaction, pg_restore reading the dump from a pipe it is handed. */
export async function runRestoreFromPipe(
  options: PipeRestoreOptions,
  input: PipeInput,
): Promise<void> {
  if (options.jobs > 1) throw new Error('a restore from a pipe runs one job');
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

async function stage(input: Readable, workdir: string): Promise<string> {
  await makeDirectory(workdir).catch((error: unknown) => {
    throw fileError('create work directory', workdir, error);
  });
  const path = join(workdir, tempName('restore.pgdump'));
  const handle = await fs.open(path, 'wx', 0o600).catch((error: unknown) => {
    throw fileError('create staging file', path, error);
  });
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
