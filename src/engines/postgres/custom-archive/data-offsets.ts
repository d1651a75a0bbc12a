// Writes the data offsets a streamed custom-format archive lacks into its staged copy.
import * as fs from 'node:fs/promises';
import { ArchiveShapeError, FileReader } from './file-reader.js';
import { OffsetState, readToc, type Toc } from './toc.js';

const blockData = 1;
const blockLargeObjects = 3;

/** What {@link addDataOffsets} did: entries it pointed at their data, or why it left the file. */
export type OffsetsResult = { indexed: number } | { skipped: string };

/**
 * pg_dump writing to a pipe cannot go back to fill in where each table's data starts, so every
 * pg_restore worker has to read through all the data before its own (per-row chunks included).
 * This finds each data block of the staged archive and writes its position into the TOC entry,
 * in place, as pg_dump does when its output is a file. pg_restore checks the block id it finds
 * at every offset, so a wrong position fails loudly rather than restoring other data. An archive
 * this does not fully understand is left untouched: pg_restore then searches as before.
 */
export async function addDataOffsets(path: string, bufferBytes?: number): Promise<OffsetsResult> {
  const handle = await fs.open(path, 'r+');
  try {
    const reader = new FileReader(handle, bufferBytes);
    const toc = await readToc(reader);
    const blocks = await findBlocks(reader, toc);
    const patches = planPatches(toc, blocks);
    for (const { at, bytes } of patches) await handle.write(bytes, 0, bytes.length, at);
    return { indexed: patches.length };
  } catch (error) {
    if (error instanceof ArchiveShapeError) return { skipped: error.message };
    throw error;
  } finally {
    await handle.close();
  }
}

/** Walks the data section block by block; returns where each dump id's block starts. */
async function findBlocks(reader: FileReader, toc: Toc): Promise<Map<number, number>> {
  const blocks = new Map<number, number>();
  const head = 2 + toc.intSize;
  while (await reader.fill(1)) {
    const at = reader.offset();
    await reader.must(head);
    const type = reader.buffer.readUInt8(reader.pos++);
    const dumpId = reader.readInt();
    if (type === blockData) await skipChunks(reader);
    else if (type === blockLargeObjects) await skipLargeObjects(reader);
    else throw new ArchiveShapeError(`unknown block type ${type} at ${at}`);

    if (blocks.has(dumpId)) throw new ArchiveShapeError(`two data blocks for entry ${dumpId}`);
    blocks.set(dumpId, at);
  }
  return blocks;
}

/** Skips length-prefixed chunks up to the zero length that ends them. */
async function skipChunks(reader: FileReader): Promise<void> {
  const intBytes = 1 + reader.intSize;
  for (;;) {
    if (reader.available() < intBytes) await reader.must(intBytes);
    const length = reader.readInt();
    if (length === 0) return;
    if (length < 0) throw new ArchiveShapeError(`negative chunk length at ${reader.offset()}`);
    reader.skip(length);
  }
}

/** A large-objects block: (oid, chunks) pairs up to a zero oid. */
async function skipLargeObjects(reader: FileReader): Promise<void> {
  while ((await reader.needInt()) !== 0) await skipChunks(reader);
}

function planPatches(toc: Toc, blocks: Map<number, number>): { at: number; bytes: Buffer }[] {
  const byId = new Map(toc.entries.map((entry) => [entry.dumpId, entry]));
  const patches: { at: number; bytes: Buffer }[] = [];
  for (const [dumpId, position] of blocks) {
    const entry = byId.get(dumpId);
    if (entry === undefined) throw new ArchiveShapeError(`data block for unknown entry ${dumpId}`);
    if (entry.offsetState === OffsetState.noData) {
      throw new ArchiveShapeError(`data block for entry ${dumpId}, which has none`);
    }
    if (entry.offsetState === OffsetState.set) continue;
    patches.push({ at: entry.offsetFieldAt, bytes: offsetField(position, toc.offSize) });
  }
  return patches;
}

/** The state byte "set" and the position, least significant byte first, as pg_dump writes it. */
function offsetField(position: number, offSize: number): Buffer {
  const bytes = Buffer.alloc(1 + offSize);
  bytes[0] = OffsetState.set;
  let rest = position;
  for (let i = 1; i <= offSize; i += 1) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}
