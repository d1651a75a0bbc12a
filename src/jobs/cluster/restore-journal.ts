// Remembers, inside the set, what a cluster restore into one server has done so far.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { fileError } from '../../errors.js';
import { encodeNameForFile } from '../../plan/backup-name.js';
import { tempName } from '../../plan/temp-name.js';

/**
 * A member's state on the target: `created` means this restore created the database (so a
 * rerun may drop it and start again: it held nothing before); `done` means restored and
 * compared. Databases that are not in the journal were there before and are never dropped
 * unless the user passed --clean-cluster.
 */
export type JournalState = 'created' | 'done';

/** The journal of a restore of one set into one server. */
export class RestoreJournal {
  readonly path: string;
  readonly #entries: Map<string, JournalState>;
  #writing: Promise<void> = Promise.resolve();

  private constructor(path: string, entries: Map<string, JournalState>) {
    this.path = path;
    this.#entries = entries;
  }

  /** Opens (or starts) the journal for `targetHost` in the set directory. */
  static async open(setPath: string, targetHost: string): Promise<RestoreJournal> {
    const path = join(setPath, `restore-journal_${encodeNameForFile(targetHost)}.json`);
    let entries = new Map<string, JournalState>();
    try {
      const parsed = JSON.parse(await fs.readFile(path, 'utf8')) as {
        databases?: Record<string, JournalState>;
      };
      entries = new Map(Object.entries(parsed.databases ?? {}));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) {
        throw fileError('read restore journal', path, error);
      }
    }
    return new RestoreJournal(path, entries);
  }

  /** The recorded state of a database, if this restore touched it. */
  stateOf(database: string): JournalState | undefined {
    return this.#entries.get(database);
  }

  /** Records a state (undefined forgets the database) and writes the journal durably. */
  async set(database: string, state: JournalState | undefined): Promise<void> {
    if (state === undefined) this.#entries.delete(database);
    else this.#entries.set(database, state);
    const text = `${JSON.stringify({ databases: Object.fromEntries(this.#entries) }, null, 2)}\n`;
    // Members finish in parallel: writes are queued so the newest state is the last one written.
    this.#writing = this.#writing.then(() => writeAtomically(this.path, text));
    await this.#writing;
  }

  /** Removes the journal once the whole restore has finished. */
  async remove(): Promise<void> {
    await this.#writing.catch(() => undefined);
    await fs.rm(this.path, { force: true });
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(path, '..', tempName('journal'));
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw fileError('write restore journal', path, error);
  }
}
