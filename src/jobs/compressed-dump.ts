// The dump on its way to the compressor: through node (counted) or, for zstd reading the pipe a
// dump tool writes into, straight from process to process.
import type { Duplex, Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { UserError, ExitCode } from '../errors.js';
import type { CompressionUsed } from '../plan/compression.js';
import { CoalesceStage } from '../pipeline/coalesce.js';
import { createCompressStage } from '../pipeline/compress.js';
import type { Part } from '../pipeline/pipeline.js';
import { startZstdOnPipe } from '../pipeline/zstd-on-pipe.js';
import type { OsPipe } from '../process/os-pipe.js';
import { bytesReadBy } from '../process/proc-io.js';
import type { Spawn } from '../process/run-tool.js';
import type { CountStage } from '../pipeline/count.js';
import { pollProgress } from './progress.js';

/**
 * Where the dump's bytes come from: a stream node reads, or a pipe the dump tool writes into
 * for zstd to read; `started` tells the engine when compressed output appears.
 */
export type DumpSource =
  { kind: 'stream'; stream: Readable } | { kind: 'pipe'; pipe: OsPipe; started: () => void };

type PipeSource = Extract<DumpSource, { kind: 'pipe' }>;

/** Options of {@link compressDump}. */
export interface CompressDumpOptions {
  source: DumpSource;
  compression: CompressionUsed;
  /** Counts the uncompressed bytes and reports progress. */
  count: CountStage;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
}

/** The compressed dump, as the head of the rest of the backup pipeline. */
export interface CompressedDump {
  source: Readable;
  stages: Duplex[];
  part: Part;
  /** Stops the compressor after a failure elsewhere. */
  stop(): void;
  /** Size of the uncompressed dump; valid once `part` settled. */
  dumpBytes(): Promise<number>;
}

/**
 * Wires the compressor. A dump tool writing into a pipe is read by zstd itself, so node never
 * copies the uncompressed bytes (on two cores that copy cost a third of the run); the byte
 * count then comes from zstd's own report, checked against what node received from it, and
 * progress from what zstd has read so far.
 */
export function compressDump(options: CompressDumpOptions): CompressedDump {
  const { source, compression, count, spawn, env } = options;
  if (source.kind === 'pipe') {
    if (compression.algorithm !== 'zstd') throw new Error('only zstd reads a dump pipe itself');
    return zstdOnPipe({ ...options, source });
  }
  const compress = createCompressStage(compression, { spawn, env });
  return {
    source: source.stream,
    stages: [count, new CoalesceStage(), compress.stream],
    part: { name: 'compress', done: compress.done },
    stop: () => compress.stream.destroy(),
    dumpBytes: () => Promise.resolve(count.bytes),
  };
}

function zstdOnPipe(options: CompressDumpOptions & { source: PipeSource }): CompressedDump {
  const { source, compression, count, spawn, env } = options;
  let zstd: ReturnType<typeof startZstdOnPipe>;
  try {
    zstd = startZstdOnPipe({
      input: source.pipe.read,
      level: compression.level ?? 3,
      threads: compression.threads ?? 0,
      spawn,
      env,
    });
  } finally {
    // Both children hold their ends now: with a copy left here, zstd would never see the end
    // of the dump, and a dump tool whose reader died would block instead of failing.
    source.pipe.close();
  }
  const watch = new OutputWatch(source.started);
  const stopPolling = pollProgress(count, () => bytesReadBy(zstd.pid));
  const done = zstd.done.finally(stopPolling);
  done.catch(() => undefined);
  return {
    source: zstd.stream,
    stages: [watch],
    part: { name: 'compress', done },
    stop: () => zstd.kill(),
    dumpBytes: async () => {
      const counts = await done;
      if (counts.output !== watch.bytes) {
        throw new UserError(
          `zstd reports ${counts.output} compressed bytes but ${watch.bytes} arrived`,
          {
            code: ExitCode.io,
            hint: 'Bytes were lost between zstd and dbbackup; run the backup again.',
          },
        );
      }
      count.report(counts.input);
      return counts.input;
    },
  };
}

/** Passes the compressed bytes on, counts them, and tells the engine when the first came. */
class OutputWatch extends Transform {
  bytes = 0;
  readonly #started: () => void;

  constructor(started: () => void) {
    super({ highWaterMark: 1 << 20 });
    this.#started = started;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.bytes === 0) this.#started();
    this.bytes += chunk.length;
    this.push(chunk);
    done();
  }
}
