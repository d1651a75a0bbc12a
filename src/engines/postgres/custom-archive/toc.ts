// Reads the header and table of contents of a pg_dump custom-format archive.
import { ArchiveShapeError, type FileReader } from './file-reader.js';

/** Archive versions whose header and TOC layout {@link readToc} knows (pg_dump 9.6 to 17+). */
const oldest = version(1, 12);
const newest = version(1, 16);
const customFormat = 1;

/** How a TOC entry says where its data is, as pg_dump writes it. */
export const OffsetState = { notSet: 1, set: 2, noData: 3 } as const;

/** One TOC entry: its id, and where its data-offset field sits in the file. */
export interface TocEntry {
  dumpId: number;
  desc: string;
  /** One of {@link OffsetState}. */
  offsetState: number;
  /** File offset of the entry's offset field (a state byte, then `offSize` bytes). */
  offsetFieldAt: number;
  /** Where the entry's data block starts, when the state is `set`. */
  dataAt?: number;
}

/** The parts of an archive's front matter the data-offset index needs. */
export interface Toc {
  version: string;
  intSize: number;
  offSize: number;
  entries: TocEntry[];
  /** File offset of the first data block. */
  dataStart: number;
}

/**
 * Parses the header and TOC in the order pg_restore reads them, field by field; throws
 * ArchiveShapeError for anything outside the versions listed above, so a layout it has not
 * been taught is never guessed at.
 */
export async function readToc(reader: FileReader): Promise<Toc> {
  const header = await readHeader(reader);
  const count = await reader.needInt();
  const entries: TocEntry[] = [];
  for (let i = 0; i < count; i += 1) entries.push(await readEntry(reader, header));
  return { ...header, entries, dataStart: reader.offset() };
}

async function readHeader(reader: FileReader) {
  await reader.must(5);
  const magic = reader.buffer.toString('latin1', reader.pos, reader.pos + 5);
  if (magic !== 'PGDMP') throw new ArchiveShapeError('not a pg_dump archive');
  reader.skip(5);

  const major = await reader.needByte();
  const minor = await reader.needByte();
  const archiveVersion = version(major, minor) + (await reader.needByte());
  if (archiveVersion < oldest || archiveVersion > newest + 255) {
    throw new ArchiveShapeError(`archive version ${major}.${minor} is not one this reader knows`);
  }
  const intSize = await reader.needByte();
  const offSize = await reader.needByte();
  if (intSize < 4 || intSize > 8 || offSize < 6 || offSize > 8) {
    throw new ArchiveShapeError(`unexpected integer sizes ${intSize}/${offSize}`);
  }
  reader.intSize = intSize;
  if ((await reader.needByte()) !== customFormat) throw new ArchiveShapeError('not custom format');

  // Compression: one algorithm byte from 1.15, a level integer before.
  if (archiveVersion >= version(1, 15)) await reader.needByte();
  else await reader.needInt();
  // Creation time (seven integers), database name, server and pg_dump versions.
  for (let i = 0; i < 7; i += 1) await reader.needInt();
  for (let i = 0; i < 3; i += 1) await reader.needString();
  return { version: `${major}.${minor}`, archiveVersion, intSize, offSize };
}

async function readEntry(
  reader: FileReader,
  header: { archiveVersion: number; offSize: number },
): Promise<TocEntry> {
  const dumpId = await reader.needInt();
  if (dumpId <= 0) throw new ArchiveShapeError(`entry id ${dumpId} out of range`);
  await reader.needInt(); // hadDumper
  await reader.needString(); // tableoid
  await reader.needString(); // oid
  await reader.needString(); // tag
  const desc = (await reader.needString()) ?? '';
  await reader.needInt(); // section
  // defn, dropStmt, copyStmt, namespace, tablespace, tableam
  for (let i = 0; i < 6; i += 1) await reader.needString();
  if (header.archiveVersion >= version(1, 16)) await reader.needInt(); // relkind
  await reader.needString(); // owner
  await reader.needString(); // "false": the withOids flag kept for older readers
  while ((await reader.needString()) !== null); // dependencies, NULL-terminated

  const offsetFieldAt = reader.offset();
  const offsetState = await reader.needByte();
  await reader.must(header.offSize);
  let dataAt = 0;
  for (let i = header.offSize - 1; i >= 0; i -= 1) {
    dataAt = dataAt * 256 + reader.buffer.readUInt8(reader.pos + i);
  }
  reader.skip(header.offSize);
  if (offsetState < OffsetState.notSet || offsetState > OffsetState.noData) {
    throw new ArchiveShapeError(`entry ${dumpId} has offset state ${offsetState}`);
  }
  const entry: TocEntry = { dumpId, desc, offsetState, offsetFieldAt };
  if (offsetState === OffsetState.set) entry.dataAt = dataAt;
  return entry;
}

function version(major: number, minor: number): number {
  return (major * 256 + minor) * 256;
}
