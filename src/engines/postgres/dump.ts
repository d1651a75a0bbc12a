// Starts pg_dump on an exported snapshot and counts rows in that snapshot while it runs.
import { Transform, type Readable } from 'node:stream';
import { UserError } from '../../errors.js';
import { isConsequence } from '../../pipeline/pipeline.js';
import { startTool } from '../../process/run-tool.js';
import type { DumpFacts, DumpInto, DumpRun, EngineDeps, ToolInfo } from '../engine.js';
import { takeSession } from '../sessions.js';
import { connectClient, type PgClient } from './client.js';
import { childEnv, connectionArgs, dbnameConninfo } from './conninfo.js';
import { classifyDriverError, classifyToolFailure } from './errors.js';
import { countTables, installedExtensions, referencedRoles } from './queries.js';

/** Options of {@link startPgDump}. */
export interface StartPgDumpOptions extends EngineDeps {
  database: string;
  pgDump: ToolInfo;
}

/** Where pg_dump writes: a stream node reads, or a file descriptor opened when it starts. */
type Output = { kind: 'stream' } | { kind: 'fd'; open: () => Promise<number> };

/** Starts pg_dump; node reads its output. */
export async function startPgDump(options: StartPgDumpOptions): Promise<DumpRun> {
  const { run, done, cancel, started } = await launch(options, { kind: 'stream' });
  return { stream: watchStart(run.child.stdout as Readable, started), done, cancel };
}

/** Starts pg_dump writing straight into the file descriptor `open` gives. */
export async function startPgDumpInto(
  options: StartPgDumpOptions,
  open: () => Promise<number>,
): Promise<DumpInto> {
  const { done, cancel, started } = await launch(options, { kind: 'fd', open });
  return { done, cancel, started };
}

/**
 * Exports a snapshot, starts pg_dump on it and fingerprints the database in the same snapshot
 * while pg_dump reads its catalogs: the counts see exactly the data pg_dump reads. pg_dump
 * imports the snapshot when it starts, so the exporting session is closed once pg_dump's output
 * has started and the counts are in: for most of the dump the run holds one session, not two.
 * The archive is made with --create, so it carries the database's own owner, grants, comment
 * and settings; pg_restore applies those only when asked to create the database.
 */
async function launch(options: StartPgDumpOptions, output: Output) {
  const { database, pgDump, connection, spawn, env, sessions } = options;
  const releaseSnapshot = await takeSession(sessions);
  let client: PgClient;
  let snapshotId: string;
  try {
    client = await connectClient(connection, database);
  } catch (error) {
    releaseSnapshot();
    throw error;
  }
  try {
    snapshotId = await exportSnapshot(client, database);
  } catch (error) {
    await client.end().catch(() => undefined);
    releaseSnapshot();
    throw error;
  }

  let ended: Promise<void> | undefined;
  const endSnapshot = () => {
    ended ??= client
      .query('COMMIT')
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => client.end().catch(() => undefined))
      .finally(releaseSnapshot);
    return ended;
  };

  let releaseDump: () => void;
  let stdout: 'pipe' | number = 'pipe';
  try {
    releaseDump = await takeSession(sessions);
  } catch (error) {
    await endSnapshot();
    throw error;
  }
  try {
    if (output.kind === 'fd') stdout = await output.open();
  } catch (error) {
    releaseDump();
    await endSnapshot();
    throw error;
  }
  const args = [
    '--format=custom',
    '--compress=0',
    '--create',
    `--snapshot=${snapshotId}`,
    '--no-password',
    ...connectionArgs(connection),
    `--dbname=${dbnameConninfo(database)}`,
  ];
  const run = startTool({
    spawn,
    tool: 'pg_dump',
    args,
    env: childEnv(connection, env),
    stdout,
    classify: classifyToolFailure,
  });
  const settled = run.done.finally(releaseDump);
  settled.catch(() => undefined);
  // Who stopped the dump first: the caller (another part failed) or a failed fingerprint.
  let stoppedBy: 'caller' | 'counts' | undefined;
  const stop = (by: 'caller' | 'counts') => {
    stoppedBy ??= by;
    run.child.kill('SIGTERM');
    void endSnapshot();
  };
  const cancel = () => stop('caller');

  const facts = fingerprint(client, database, pgDump);
  // Without its counts the backup is not whole: a failed fingerprint stops the dump.
  facts.catch(() => stop('counts'));
  let outputStarted!: () => void;
  const started = new Promise<void>((resolve) => (outputStarted = resolve));
  void Promise.allSettled([facts, Promise.race([started, settled])]).then(endSnapshot);

  const done = (async () => {
    const [dumped, counted] = await Promise.allSettled([settled, facts]);
    await endSnapshot();
    // A fingerprint that failed on its own is the cause when pg_dump only died of the stop;
    // otherwise pg_dump's own error wins. After the caller's stop, a fingerprint cut off by
    // its closed session is only a consequence of whatever failed elsewhere.
    if (counted.status === 'rejected' && stoppedBy === 'counts') {
      if (dumped.status === 'fulfilled' || isConsequence(dumped.reason)) throw counted.reason;
    }
    if (dumped.status === 'rejected') throw dumped.reason;
    if (counted.status === 'rejected') {
      throw stoppedBy === 'caller' ? stoppedError(counted.reason) : counted.reason;
    }
    return counted.value;
  })();
  done.catch(() => undefined);

  return { run, done, cancel, started: outputStarted };
}

/** pg_dump's stdout through a pass-through that calls `started` on the first chunk. */
function watchStart(stdout: Readable, started: () => void): Readable {
  const stream = stdout.pipe(onFirstChunk(started));
  stdout.once('error', (error) => stream.destroy(error));
  // pipe() does not pass a destroy upstream: without this, a reader that stops (a full disk)
  // leaves pg_dump blocked on a full stdout and its exit never comes.
  stream.once('close', () => stdout.destroy());
  return stream;
}

/** The fingerprint's error after the caller stopped the dump: a consequence, never the cause. */
function stoppedError(cause: unknown): Error {
  return Object.assign(new Error('the dump was stopped', { cause }), { code: 'ABORT_ERR' });
}

async function exportSnapshot(client: PgClient, database: string): Promise<string> {
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query('SET row_security = off');
    const result = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
    return result.rows[0]?.id ?? '';
  } catch (error) {
    throw classifyDriverError(`unable to export a snapshot of '${database}'`, error);
  }
}

/** Row counts, roles and extensions, in the exporting transaction: pg_dump's snapshot. */
async function fingerprint(
  client: PgClient,
  database: string,
  pgDump: ToolInfo,
): Promise<DumpFacts> {
  try {
    const tables = await countTables(client);
    const roles = await referencedRoles(client);
    const extensions = await installedExtensions(client);
    return {
      tool: { name: 'pg_dump', version: pgDump.version ?? 'unknown' },
      tables,
      counts: 'same-snapshot',
      roles,
      extensions,
    };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw classifyDriverError(`unable to fingerprint '${database}'`, error);
  }
}

function onFirstChunk(callback: () => void): Transform {
  let seen = false;
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, next) {
      if (!seen) {
        seen = true;
        callback();
      }
      next(null, chunk);
    },
  });
}
