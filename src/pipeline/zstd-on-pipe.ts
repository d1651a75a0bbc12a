// zstd reading the pipe a dump tool writes into: the uncompressed bytes never pass through node.
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../errors.js';
import { startTool, type Spawn, type ToolRun } from '../process/run-tool.js';
import { zstdCompressFailure } from './compress.js';
import { endOf } from './stream-end.js';
import { parseZstdCounts, type ZstdCounts } from './zstd-report.js';

/** Options of {@link startZstdOnPipe}. */
export interface ZstdOnPipeOptions {
  /** The read end of a pipe a dump tool writes into; the caller closes its copy. */
  input: number;
  level: number;
  /** zstd worker threads; 0 means one per core. */
  threads: number;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
}

/** A running zstd whose input is a pipe it reads by itself. */
export interface ZstdOnPipe {
  /** The compressed stream. */
  stream: Readable;
  /** Resolves after zstd exited 0, with the bytes it read and wrote. */
  done: Promise<ZstdCounts>;
  pid: number | undefined;
  /** Stops zstd (a failure elsewhere); `done` then rejects. */
  kill(): void;
}

/** Starts zstd on `input`. */
export function startZstdOnPipe(options: ZstdOnPipeOptions): ZstdOnPipe {
  const { input, level, threads, spawn, env } = options;
  const run = startTool({
    spawn,
    tool: 'zstd',
    // -vv prints the exact byte counts at the end, which the manifest records.
    args: ['-vv', '-c', `-${level}`, `-T${threads}`],
    env,
    stdin: input,
    classify: zstdCompressFailure,
  });

  const stream = run.child.stdout as Readable;
  const done = run.done.then(async () => {
    await endOf(stream, 'readable').catch(() => undefined);
    return countsOf(run);
  });
  done.catch(() => undefined);
  return {
    stream,
    done,
    pid: run.child.pid,
    kill: () => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
    },
  };
}

function countsOf(run: ToolRun): ZstdCounts {
  const counts = parseZstdCounts(run.stderr());
  if (counts === undefined) {
    throw new UserError('zstd finished but did not report how many bytes it compressed', {
      code: ExitCode.failure,
      hint: 'This zstd prints its summary in a form dbbackup does not know; use --compression gzip and report the zstd version.',
      detail: run.stderr().trimEnd(),
    });
  }
  return counts;
}
