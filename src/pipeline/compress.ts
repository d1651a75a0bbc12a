// Compression and decompression stages: zstd through the zstd tool, gzip through zlib.
import { PassThrough, type Transform } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { ExitCode, UserError } from '../errors.js';
import type { CompressionAlgorithm, CompressionSpec } from '../plan/compression.js';
import { startTool, type Spawn } from '../process/run-tool.js';
import type { ToolFailure } from '../process/tool-error.js';
import { ToolError } from '../process/tool-error.js';
import { toolStage, type Stage } from './tool-stage.js';
import { endOf } from './stream-end.js';

/** Effects a compression stage needs. */
export interface CompressDeps {
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  /** zstd worker threads; 0 means one per core. */
  threads?: number;
}

/** A stage that compresses its input with the given spec. */
export function createCompressStage(spec: CompressionSpec, deps: CompressDeps): Stage {
  switch (spec.algorithm) {
    case 'zstd': {
      const level = spec.level ?? 3;
      const args = ['-q', '-c', `-${level}`, `-T${spec.threads ?? deps.threads ?? 0}`];
      return zstdStage(args, deps);
    }
    case 'gzip':
      return zlibStage(createGzip({ level: spec.level ?? 6, chunkSize: 1 << 16 }));
    case 'none':
      return passStage();
  }
}

/** A stage that decompresses; a truncated or corrupt stream fails it with exit code 65. */
export function createDecompressStage(algorithm: CompressionAlgorithm, deps: CompressDeps): Stage {
  switch (algorithm) {
    case 'zstd':
      return zstdStage(['-q', '-d', '-c'], deps);
    case 'gzip':
      // zlib's default Z_FINISH makes a truncated stream an error, never a shorter output.
      return zlibStage(createGunzip({ chunkSize: 1 << 16 }), true);
    case 'none':
      return passStage();
  }
}

function zstdStage(args: string[], { spawn, env }: CompressDeps): Stage {
  const run = startTool({ spawn, tool: 'zstd', args, env, stdin: 'pipe', classify: zstdFailure });
  return toolStage(run);
}

export function zstdFailure(failure: ToolFailure): Error {
  const corrupt =
    /corrupt|truncated|premature end|unexpected end|unknown frame|checksum|unsupported format|not in zstd format|frame/i;
  if (corrupt.test(failure.stderrTail)) {
    return new ToolError(failure, {
      code: ExitCode.data,
      hint: 'The backup file is truncated or corrupt; restore from another backup.',
    });
  }
  if (failure.signal !== null) return new ToolError(failure);
  return zstdCompressFailure(failure);
}

/**
 * A compressing zstd's failure: never a corrupt backup. The banner and settings that -vv
 * prints are left out of the message, which then shows zstd's own error line.
 */
export function zstdCompressFailure(failure: ToolFailure): Error {
  const stderrTail = failure.stderrTail
    .split('\n')
    .filter((line) => !zstdChatter.test(line))
    .join('\n');
  const hint =
    failure.signal !== null
      ? undefined
      : 'zstd stopped on an error of its own (shown above); check the zstd installation and free memory, then run again.';
  return new ToolError({ ...failure, stderrTail }, { hint });
}

const zstdChatter =
  /^\s*(\*\*\* Zstandard CLI|--zstd=|--format=|Using std(in|out) for|Decompression will require|\/\*stdin\*\\|zstd: WARNING: all input files|The concatenated output)/;

function zlibStage(stream: Transform, isDecoder = false): Stage {
  const done = endOf(stream, 'readable').catch((error: unknown) => {
    const premature = (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
    throw isDecoder && !premature ? corruptGzip(error as Error) : error;
  });
  done.catch(() => undefined);
  return { stream, done };
}

function corruptGzip(error: Error): Error {
  return new UserError(`gzip data is corrupt: ${error.message}`, {
    code: ExitCode.data,
    hint: 'The backup file is truncated or corrupt; restore from another backup.',
    cause: error,
  });
}

function passStage(): Stage {
  const stream = new PassThrough({ highWaterMark: 1 << 20 });
  return { stream, done: endOf(stream, 'readable') };
}
