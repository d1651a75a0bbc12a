// Feeds a dump to the mariadb / mysql client, rewriting DEFINERs on the way when asked.
import type { Readable } from 'node:stream';
import { runIntoTool } from '../../pipeline/pipeline.js';
import { startTool, stdinOf, type Spawn } from '../../process/run-tool.js';
import { definerRewrite } from './definers.js';
import { classifyToolFailure } from './errors.js';
import { withOptionFile } from './option-file.js';
import { ScanStream } from './scan-stream.js';
import { childEnv, type MysqlTarget } from './target.js';
import { clientArgs } from './tool-args.js';

/** Inputs of {@link runClientRestore}. */
export interface ClientRestoreInput {
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  target: MysqlTarget;
  client: string;
  input: Readable;
  database: string;
  /** Accounts whose DEFINER becomes CURRENT_USER; an empty set passes the dump untouched. */
  rewrite: ReadonlySet<string> | 'all';
}

/**
 * Runs the client on the stream. The client stops at the first failing statement and exits
 * non-zero with the server's error, which this rejects with; MySQL DDL commits as it goes, so
 * what ran before stays (the engine reports the restore as not atomic).
 */
export async function runClientRestore(input: ClientRestoreInput): Promise<void> {
  const { spawn, env, target, client, database, rewrite } = input;
  await withOptionFile(target.password?.reveal(), async (optionFile) => {
    const run = startTool({
      spawn,
      tool: client,
      args: clientArgs({ optionFile: optionFile?.argument, target, database }),
      env: childEnv(env),
      stdin: 'pipe',
      stdout: 'ignore',
      classify: classifyToolFailure,
    });
    const rewriting = rewrite === 'all' || rewrite.size > 0;
    await runIntoTool({
      source: input.input,
      stages: rewriting ? [new ScanStream(definerRewrite(rewrite))] : [],
      sink: stdinOf(run),
      parts: [{ name: client, done: run.done }],
      tool: run.done,
    });
  });
}
