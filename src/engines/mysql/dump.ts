// Runs mariadb-dump / mysqldump for one database and fingerprints the dump as it streams.
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import type { TableFingerprint } from '../../manifest/manifest.js';
import { startTool, type Spawn } from '../../process/run-tool.js';
import type { DumpFacts, DumpRun, ServerInfo } from '../engine.js';
import { dumpRewrite } from './dump-rewrite.js';
import type { ScanResult } from './dump-scanner.js';
import { classifyToolFailure, quoteList } from './errors.js';
import { createOptionFile } from './option-file.js';
import { byName } from './queries.js';
import { ScanStream } from './scan-stream.js';
import { childEnv, type MysqlTarget } from './target.js';
import { dumpArgs } from './tool-args.js';
import type { PickedTool } from './tools.js';

/** What the dump needs, gathered by the engine before it starts. */
export interface MysqlDumpInput {
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  target: MysqlTarget;
  server: ServerInfo;
  tool: PickedTool;
  database: string;
  /** The tables the server listed just before the dump; each must appear in it. */
  tables: string[];
  /** DEFINER accounts of the database's objects, for the manifest. */
  definers: string[];
  defaults: { charset: string; collation: string };
}

/**
 * Starts the dump. The row counts come from the dump itself: the scanner counts the tuples of
 * every INSERT as they pass, so they are exactly the rows in the file, read in the dump's own
 * snapshot (`same-snapshot`), and no second session has to guess at that snapshot.
 */
export async function startMysqlDump(input: MysqlDumpInput): Promise<DumpRun> {
  const { spawn, env, target, server, tool, database } = input;
  const optionFile = await createOptionFile(target.password?.reveal());
  const args = dumpArgs({
    flavour: server.flavour === 'mariadb' ? 'mariadb' : 'mysql',
    toolVersion: tool.version ?? '0',
    serverVersion: server.version,
    optionFile: optionFile?.argument,
    target,
    database,
  });
  const run = startTool({
    spawn,
    tool: tool.name,
    args,
    env: childEnv(env),
    classify: classifyToolFailure,
  });

  const scan = new ScanStream(dumpRewrite({ database, ...input.defaults }));
  const flowed = pipeline(run.child.stdout as Readable, scan);
  flowed.catch(() => undefined);

  const done = (async (): Promise<DumpFacts> => {
    try {
      await run.done;
      await flowed;
      return factsOf(input, scan.result);
    } finally {
      await optionFile?.remove();
    }
  })();
  done.catch(() => undefined);

  return { stream: scan, done, cancel: () => run.child.kill('SIGTERM') };
}

function factsOf(input: MysqlDumpInput, scan: ScanResult): DumpFacts {
  const { database, tool, tables, definers } = input;
  if (!scan.complete) {
    throw new UserError(`${tool.name} exited 0 but its dump of '${database}' is incomplete`, {
      code: ExitCode.failure,
      hint: 'The dump lacks its `-- Dump completed` trailer; run the backup again.',
    });
  }
  const missing = tables.filter((t) => !scan.rows.has(t));
  if (missing.length > 0) {
    throw new UserError(`the dump of '${database}' lacks table(s) ${quoteList(missing)}`, {
      code: ExitCode.failure,
      hint: 'A table dropped during the dump, or one the account cannot read; run it again.',
    });
  }
  const fingerprint: TableFingerprint[] = [...scan.rows.entries()]
    .map(([name, rows]) => ({ schema: '', name, rows }))
    .sort((a, b) => byName(a.name, b.name));
  return {
    tool: { name: tool.name, version: tool.version ?? 'unknown' },
    tables: fingerprint,
    counts: 'same-snapshot',
    roles: definers,
    extensions: [],
  };
}
