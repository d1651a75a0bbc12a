// The run journal: failed backups and verify/restore runs, one JSON line each, beside the
// manifests. With them it is the source the catalog is rebuilt from, so deleting the catalog
// loses nothing.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { fileError } from '../errors.js';
import type { BackupRecord, RunRecord } from './records.js';

/** The journal's file name inside the backup directory. */
export const journalFileName = '.dbbackup-journal.jsonl';

/** One journal line. */
export type JournalEntry =
  | { v: 1; type: 'failed-backup'; record: BackupRecord }
  | { v: 1; type: 'run'; record: RunRecord }
  /** Failed attempts that cleanup removed, so a rebuild does not bring them back. */
  | { v: 1; type: 'removed'; at: string; ids: string[] };

/** What a journal holds once replayed. */
export interface JournalContent {
  failures: BackupRecord[];
  runs: RunRecord[];
  removed: Set<string>;
  /** Lines that could not be read (a line torn by a crash, say). */
  skipped: number;
}

/** The journal of a backup directory. */
export function journalPathOf(backupDir: string): string {
  return join(backupDir, journalFileName);
}

/**
 * Appends one entry. The line goes out in a single write() on a file opened O_APPEND, so
 * lines from processes writing at once never interleave.
 */
export async function appendJournal(path: string, entry: JournalEntry): Promise<void> {
  const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'a', 0o600);
    const { bytesWritten } = await handle.write(line, 0, line.length);
    if (bytesWritten !== line.length)
      throw Object.assign(new Error('short write'), { code: 'EIO' });
    await handle.sync();
  } catch (error) {
    throw fileError('append to journal', path, error);
  } finally {
    await handle?.close();
  }
}

/** Reads and replays the journal; a missing journal is empty. */
export async function readJournal(path: string): Promise<JournalContent> {
  const content: JournalContent = { failures: [], runs: [], removed: new Set(), skipped: 0 };
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return content;
    throw fileError('read journal', path, error);
  }

  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseLine(line);
    if (entry === undefined) content.skipped += 1;
    else if (entry.type === 'failed-backup') content.failures.push(entry.record);
    else if (entry.type === 'run') content.runs.push(entry.record);
    else for (const id of entry.ids) content.removed.add(id);
  }
  return content;
}

function parseLine(line: string): JournalEntry | undefined {
  try {
    const value = JSON.parse(line) as Partial<JournalEntry> | null;
    if (value === null || value.v !== 1) return undefined;
    if (value.type === 'removed')
      return Array.isArray(value.ids) ? (value as JournalEntry) : undefined;
    if (value.type !== 'failed-backup' && value.type !== 'run') return undefined;
    return typeof value.record?.id === 'string' ? (value as JournalEntry) : undefined;
  } catch {
    return undefined;
  }
}
