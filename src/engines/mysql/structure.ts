// Reads a whole decompressed dump and checks it against its manifest, without a server.
import { Writable, type Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import type { Manifest } from '../../manifest/manifest.js';
import { runPipeline } from '../../pipeline/pipeline.js';
import type { StructureReport } from '../engine.js';
import { ScanStream } from './scan-stream.js';

/**
 * Scans the dump to its end. A dump without mysqldump's closing `-- Dump completed` line was
 * cut short (a data error, 65). Every manifest table must have its CREATE TABLE and, when the
 * manifest counted rows in the dump itself, exactly that many row tuples.
 */
export async function checkDump(input: Readable, manifest: Manifest): Promise<StructureReport> {
  const scan = new ScanStream();
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await runPipeline({ source: input, stages: [scan], sink, parts: [] });
  const { rows, complete, statements } = scan.result;

  if (!complete) {
    throw new UserError('dump ends before its `-- Dump completed` line: it is truncated', {
      code: ExitCode.data,
      hint: 'The backup is damaged; restore from another backup.',
    });
  }
  const exact = manifest.fingerprint.counts === 'same-snapshot';
  const missingTables = manifest.fingerprint.tables.flatMap((t) => {
    const found = rows.get(t.name);
    if (found === undefined) return [`${t.name} (no CREATE TABLE)`];
    if (exact && found !== t.rows) return [`${t.name} (${found} rows, manifest ${t.rows})`];
    return [];
  });
  return { entries: statements, tablesWithData: rows.size, missingTables };
}

const trailer = Buffer.from('-- Dump completed');

/**
 * Whether the last non-blank line of a dump's closing bytes is mysqldump's completion line.
 * Unless `whole`, a line that began before the bytes read is not taken for it.
 */
export function endsWithTrailer(tail: Buffer, whole: boolean): boolean {
  let end = tail.length;
  while (end > 0 && [0x0a, 0x0d, 0x20, 0x09].includes(tail[end - 1] ?? 0)) end -= 1;
  const newline = end === 0 ? -1 : tail.lastIndexOf(0x0a, end - 1);
  if (newline === -1 && !whole) return false;
  return tail
    .subarray(newline + 1, end)
    .subarray(0, trailer.length)
    .equals(trailer);
}
