// Settles the compression of a backup: a fixed setting, or `auto` from a sample of the dump.
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import {
  chooseCompression,
  zstdOnPipeChoice,
  formatCompression,
  userCompression,
  type CompressionRequest,
  type CompressionUsed,
} from '../plan/compression.js';
import { readHead, replayHead } from '../pipeline/sample.js';

const deflate = promisify(deflateRaw);

/** How much of the dump `auto` reads before deciding; it is held in memory meanwhile. */
export const sampleLimit = 8 << 20;

/** The decision and the dump stream to compress (the sample replayed in front). */
export interface SettledCompression {
  used: CompressionUsed;
  stream: Readable;
}

/** Options of {@link settleCompression}. */
export interface SettleOptions {
  request: CompressionRequest;
  dump: Readable;
  /** Cores to plan for; default os.availableParallelism(). */
  cores?: number;
}

/** Decides the compression; for `auto` it reads the dump's first bytes, never all of it. */
export async function settleCompression({
  request,
  dump,
  cores = availableParallelism(),
}: SettleOptions): Promise<SettledCompression> {
  const { algorithm, level } = request;
  if (algorithm !== 'auto') {
    const used = userCompression(
      { algorithm, level },
      `--compression ${formatCompression(request)}`,
    );
    return { used, stream: dump };
  }

  const sampled = await readHead(dump, sampleLimit);
  const deflated = await deflate(sampled.head, { level: 1 });
  const used = chooseCompression(
    { bytes: sampled.head.length, deflatedBytes: deflated.length, isWholeDump: sampled.ended },
    cores,
  );
  return { used, stream: replayHead(sampled, dump) };
}

/**
 * Decides the compression of a dump that goes from its tool straight into zstd: `auto` is zstd
 * without a sample; `zstd` as the user set it. Other requests never take this path.
 */
export function settleForPipe(
  request: CompressionRequest,
  cores = availableParallelism(),
): CompressionUsed {
  if (request.algorithm === 'auto') return zstdOnPipeChoice(cores);
  if (request.algorithm !== 'zstd') throw new Error(`${request.algorithm} does not read a pipe`);
  const spec = { algorithm: request.algorithm, level: request.level };
  return userCompression(spec, `--compression ${formatCompression(request)}`);
}
