// Creates a database from the DATABASE entries of its own archive (made with pg_dump --create).
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import { startTool, stdinOf, type ToolRun } from '../../process/run-tool.js';
import type { CreateFromDumpOptions, EngineDeps } from '../engine.js';
import { takeSession } from '../sessions.js';
import { childEnv, connectionArgs, dbnameConninfo } from './conninfo.js';
import { classifyToolFailure } from './errors.js';

/** Options of {@link createFromArchive}. */
export interface CreateFromArchiveOptions extends EngineDeps, CreateFromDumpOptions {
  maintenanceDb: string;
}

// Entries pg_restore --create applies to the database itself: CREATE DATABASE with encoding,
// locale and owner; its comment, grants, security labels and ALTER DATABASE/ROLE … SET.
const databaseEntry =
  /^\d+; \d+ \d+ (?:DATABASE - |DATABASE PROPERTIES - |COMMENT - DATABASE |ACL - DATABASE |SECURITY LABEL - DATABASE )/;

/**
 * Reads the archive's table of contents (the head of the stream), keeps the database-level
 * entries, and runs `pg_restore --create` for just those against the maintenance database.
 * Neither pass reads the data: each stops when pg_restore is done with the head.
 */
export async function createFromArchive(options: CreateFromArchiveOptions): Promise<void> {
  const listing = await headRun(options, ['--create', '--list'], 'pipe');
  const entries = listing.split('\n').filter((line) => databaseEntry.test(line));
  if (!entries.some((line) => / DATABASE - /.test(line))) {
    throw new UserError(`the dump of '${options.name}' does not describe its database`, {
      code: ExitCode.data,
      hint: 'It was made without pg_dump --create; create the database first and restore into it.',
    });
  }

  const dir = await fs.mkdtemp(join(tmpdir(), 'dbbackup-list-'));
  try {
    const list = join(dir, 'database.list');
    await fs.writeFile(list, `${entries.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    await headRun(
      options,
      [
        '--create',
        '--exit-on-error',
        '--no-password',
        `--use-list=${list}`,
        ...connectionArgs(options.connection),
        `--dbname=${dbnameConninfo(options.maintenanceDb)}`,
      ],
      'ignore',
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Runs pg_restore on a fresh stream of the archive; returns its stdout when piped. */
async function headRun(
  options: CreateFromArchiveOptions,
  args: string[],
  stdout: 'pipe' | 'ignore',
): Promise<string> {
  const { connection, spawn, env, sessions } = options;
  const release = stdout === 'ignore' ? await takeSession(sessions) : () => undefined;
  const source = options.open();
  let out = '';
  try {
    const run = startTool({
      spawn,
      tool: 'pg_restore',
      args,
      env: childEnv(connection, env),
      stdin: 'pipe',
      stdout,
      classify: classifyToolFailure,
    });
    run.child.stdout?.setEncoding('utf8').on('data', (text: string) => (out += text));
    await feedUntilExit(source, run);
    return out;
  } finally {
    source.destroy();
    release();
  }
}

/** Feeds the tool until it exits; one that stops reading early is no error if it exits 0. */
async function feedUntilExit(source: Readable, run: ToolRun): Promise<void> {
  const stdin = stdinOf(run);
  // Once pg_restore has what it needs it closes stdin: EPIPE is then expected, not a failure.
  stdin.on('error', () => undefined);
  let sourceError: Error | undefined;
  source.once('error', (error) => {
    sourceError = error;
    stdin.destroy();
  });
  source.pipe(stdin);
  try {
    await run.done;
  } catch (error) {
    throw sourceError ?? error;
  }
}
