// Reads the first bytes of the dump inside a compressed file, to tell a dump's engine apart.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { CompressionAlgorithm } from '../plan/compression.js';
import type { Spawn } from '../process/run-tool.js';
import { classifyHead, type DetectedFormat } from './detect-format.js';

/** Options of {@link detectDumpFormat}. */
export interface DumpHeadInput {
  path: string;
  compression: CompressionAlgorithm;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
}

/**
 * The dump format of a compressed file, from its first decompressed bytes; 'unknown' when the
 * bytes cannot be read (the restore then reports the real error itself).
 */
export async function detectDumpFormat(
  input: DumpHeadInput,
): Promise<DetectedFormat['dumpFormat']> {
  const head = await readHead(input, 8).catch(() => undefined);
  if (head === undefined || head.length < 5) return 'unknown';
  return classifyHead(Buffer.concat([head, Buffer.alloc(8)]).subarray(0, 8)).dumpFormat;
}

async function readHead(input: DumpHeadInput, bytes: number): Promise<Buffer> {
  const { path, compression, spawn, env } = input;
  if (compression === 'gzip') return firstBytes(createReadStream(path).pipe(createGunzip()), bytes);
  if (compression === 'none') return firstBytes(createReadStream(path), bytes);

  // zstd stops with SIGPIPE or our kill once the head is read; its exit status is not needed.
  const child = spawn('zstd', ['-q', '-d', '-c', '--', path], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    if (child.stdout === null) throw new Error('zstd has no stdout');
    return await firstBytes(child.stdout, bytes);
  } finally {
    child.kill('SIGTERM');
  }
}

function firstBytes(stream: Readable, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = () => {
      stream.destroy();
      resolve(Buffer.concat(chunks).subarray(0, bytes));
    };
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes) finish();
    });
    stream.once('end', finish);
    stream.once('error', reject);
  });
}
