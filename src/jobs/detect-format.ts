// Recognises a backup file without a manifest from its first bytes.
import * as fs from 'node:fs/promises';
import type { CompressionAlgorithm } from '../plan/compression.js';

/** Compression and dump format read from magic bytes. */
export interface DetectedFormat {
  compression: CompressionAlgorithm;
  /** Known only for uncompressed files; compressed ones are recognised after decompression. */
  dumpFormat: 'pg-custom' | 'sql' | 'unknown';
  /** An age file: its compression is then read from the file name (`.zst.age`). */
  encrypted?: boolean;
}

/** Reads the first bytes of a file and names its compression (zstd, gzip or none). */
export async function detectFormat(path: string): Promise<DetectedFormat> {
  const handle = await fs.open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    if (head.toString('latin1') === 'age-encr') {
      const compression = /\.zst\.age$/.test(path)
        ? 'zstd'
        : /\.gz\.age$/.test(path)
          ? 'gzip'
          : 'none';
      return { compression, dumpFormat: 'unknown', encrypted: true };
    }
    return classifyHead(head);
  } finally {
    await handle.close();
  }
}

/** Classifies a file head: zstd frames start 28 B5 2F FD, gzip 1F 8B, pg custom "PGDMP". */
export function classifyHead(head: Buffer): DetectedFormat {
  if (head.readUInt32LE(0) === 0xfd2fb528) return { compression: 'zstd', dumpFormat: 'unknown' };
  if (head[0] === 0x1f && head[1] === 0x8b) return { compression: 'gzip', dumpFormat: 'unknown' };
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') {
    return { compression: 'none', dumpFormat: 'pg-custom' };
  }
  const isText = [...head.subarray(0, 4)].every(
    (b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127),
  );
  return { compression: 'none', dumpFormat: isText ? 'sql' : 'unknown' };
}
