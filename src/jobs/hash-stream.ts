// Hashes a whole stream, for checksum checks of stored files.
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { HashStage, type HashResult } from '../pipeline/hash.js';
import { runPipeline } from '../pipeline/pipeline.js';

/** Reads a stream to its end and returns its SHA-256 and length. */
export async function hashStream(source: Readable): Promise<HashResult> {
  const hash = new HashStage();
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  await runPipeline({ source, stages: [hash], sink, parts: [] });
  return hash.result();
}
