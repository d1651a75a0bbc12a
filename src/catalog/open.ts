// Opens (creating if needed) the SQLite catalog: private file, WAL, busy timeout, migrated.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ExitCode, UserError, fileError, isUserError, type ExitCodeValue } from '../errors.js';
import { migrate } from './migrate.js';

/** The catalog's file name inside the backup directory. */
export const catalogFileName = '.dbbackup-catalog.sqlite';

/** How long a writer waits for another process's lock before giving up, in ms. */
export const busyTimeoutMs = 15_000;

/** An open catalog. */
export interface Catalog {
  readonly db: Database.Database;
  readonly path: string;
  /** Whether this open created the file (so it starts empty). */
  readonly created: boolean;
  close(): void;
}

/** Where the catalog of a backup directory lives, unless `--catalog` names a file. */
export function catalogPathOf(backupDir: string, option: string | undefined): string {
  return option ?? join(backupDir, catalogFileName);
}

/** Opens the catalog at `path`, creating it 0600 when missing; errors are UserErrors. */
export function openCatalog(path: string): Catalog {
  const created = createPrivate(path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    setWal(db);
    // WAL with NORMAL stays consistent on a crash; the last commit may be lost, and the
    // catalog can always be rebuilt from the manifests.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (error) {
    db?.close();
    throw asUserError(error, path);
  }
  const handle = db;
  return { db: handle, path, created, close: () => handle.close() };
}

function createPrivate(path: string): boolean {
  try {
    // O_EXCL: never follow a link planted where the catalog should be.
    closeSync(openSync(path, 'wx', 0o600));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileError('create catalog', path, error);
  }
}

function setWal(db: Database.Database): void {
  // Switching a new file to WAL needs a moment of exclusive access; with several processes
  // opening it at once SQLite reports BUSY without waiting, so try again for a while.
  for (let attempt = 0; ; attempt += 1) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}

function asUserError(error: unknown, path: string): Error {
  if (isUserError(error)) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message;
  const known: Record<string, { exit: ExitCodeValue; hint: string }> = {
    SQLITE_CANTOPEN: { exit: ExitCode.noPermission, hint: cantWrite },
    SQLITE_READONLY: { exit: ExitCode.noPermission, hint: cantWrite },
    SQLITE_PERM: { exit: ExitCode.noPermission, hint: cantWrite },
    SQLITE_NOTADB: { exit: ExitCode.data, hint: damaged },
    SQLITE_CORRUPT: { exit: ExitCode.data, hint: damaged },
    SQLITE_BUSY: {
      exit: ExitCode.tempFail,
      hint: 'Another dbbackup holds the catalog; run again.',
    },
    SQLITE_FULL: { exit: ExitCode.io, hint: 'Free space where the catalog lives.' },
    SQLITE_IOERR: { exit: ExitCode.io, hint: 'Check the disk and the system log.' },
  };
  const match = Object.entries(known).find(([prefix]) => code.startsWith(prefix))?.[1];
  if (match === undefined) return error instanceof Error ? error : new Error(String(error));
  return new UserError(`unable to open catalog '${path}': ${message.toLowerCase()}`, {
    code: match.exit,
    hint: match.hint,
    cause: error,
  });
}

const cantWrite = 'Make the catalog writable, or choose another file with --catalog.';
const damaged =
  'Delete the catalog file and run `dbbackup catalog sync`: the manifests hold everything it lists.';
