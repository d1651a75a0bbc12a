// Starts pg_dump on an exported snapshot whose row counts were taken first, in one session each.
import { Transform, type Readable } from 'node:stream';
import { UserError } from '../../errors.js';
import { startTool } from '../../process/run-tool.js';
import type { DumpFacts, DumpRun, EngineDeps, ToolInfo } from '../engine.js';
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

/**
 * Exports a snapshot, fingerprints the database in it, then runs pg_dump on that snapshot.
 * pg_dump imports the snapshot when it starts, so the exporting session is closed as soon as
 * pg_dump writes its first byte: for most of the dump the run holds one session, not two.
 * The archive is made with --create, so it carries the database's own owner, grants, comment
 * and settings; pg_restore applies those only when asked to create the database.
 */
export async function startPgDump(options: StartPgDumpOptions): Promise<DumpRun> {
  const { database, pgDump, connection, spawn, env, sessions } = options;
  const releaseSnapshot = await takeSession(sessions);
  let client: PgClient;
  let snapshot: Snapshot;
  try {
    client = await connectClient(connection, database);
  } catch (error) {
    releaseSnapshot();
    throw error;
  }
  try {
    snapshot = await exportSnapshot(client, database, pgDump);
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

  const releaseDump = await takeSession(sessions);
  const args = [
    '--format=custom',
    '--compress=0',
    '--create',
    `--snapshot=${snapshot.id}`,
    '--no-password',
    ...connectionArgs(connection),
    `--dbname=${dbnameConninfo(database)}`,
  ];
  const run = startTool({
    spawn,
    tool: 'pg_dump',
    args,
    env: childEnv(connection, env),
    classify: classifyToolFailure,
  });
  const settled = run.done.finally(releaseDump);
  settled.catch(() => undefined);

  const done = (async () => {
    try {
      await settled;
      return snapshot.facts;
    } finally {
      await endSnapshot();
    }
  })();
  done.catch(() => undefined);

  const stdout = run.child.stdout as Readable;
  const stream = stdout.pipe(onFirstChunk(() => void endSnapshot()));
  stdout.once('error', (error) => stream.destroy(error));
  // pipe() does not pass a destroy upstream: without this, a reader that stops (a full disk)
  // leaves pg_dump blocked on a full stdout and its exit never comes.
  stream.once('close', () => stdout.destroy());
  const cancel = () => {
    run.child.kill('SIGTERM');
    void endSnapshot();
  };
  return { stream, done, cancel };
}

interface Snapshot {
  id: string;
  facts: DumpFacts;
}

async function exportSnapshot(
  client: PgClient,
  database: string,
  pgDump: ToolInfo,
): Promise<Snapshot> {
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query('SET row_security = off');
    const result = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
    const id = result.rows[0]?.id ?? '';

    // The counts see exactly the data pg_dump will read: the same snapshot, taken first.
    const tables = await countTables(client);
    const roles = await referencedRoles(client);
    const extensions = await installedExtensions(client);
    const facts: DumpFacts = {
      tool: { name: 'pg_dump', version: pgDump.version ?? 'unknown' },
      tables,
      counts: 'same-snapshot',
      roles,
      extensions,
    };
    return { id, facts };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw classifyDriverError(`unable to snapshot and fingerprint '${database}'`, error);
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
