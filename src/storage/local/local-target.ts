// LocalTarget: backups in a directory on this machine, written atomically and privately.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ExitCode, UserError, fileError } from '../../errors.js';
import { tempPrefix } from '../../plan/backup-name.js';
import { currentOwner, isStale, parseTempName, tempName } from '../../plan/temp-name.js';
import type { ObjectInfo, PendingObject, StorageTarget } from '../storage.js';
import { makeDirectory } from './make-dir.js';
import { probeWrite } from './write-probe.js';

/** Stores backups as files in one directory (mode 0700, files 0600). */
export class LocalTarget implements StorageTarget {
  readonly location: string;
  readonly #randomId: () => string;

  /** `randomId` names temporary files; tests pass a fixed one to plant files in the way. */
  constructor(directory: string, { randomId = () => hex(6) }: { randomId?: () => string } = {}) {
    this.location = directory;
    this.#randomId = randomId;
  }

  async prepare(): Promise<void> {
    await makeDirectory(this.location).catch((error: unknown) => {
      throw fileError('create backup directory', this.location, error);
    });

    await probeWrite(this.location);
    await this.#removeStaleTemps();
  }

  /** Removes temporary files whose writer (a process of this host) is gone, e.g. killed. */
  async #removeStaleTemps(): Promise<void> {
    const names = await fs.readdir(this.location);
    for (const name of names) {
      const owner = parseTempName(name);
      if (owner !== undefined && isStale(owner)) {
        await fs.rm(join(this.location, name), { force: true });
      }
    }
  }

  async create(name: string): Promise<PendingObject> {
    const finalPath = this.pathOf(name);
    const tempPath = join(this.location, tempName(name, currentOwner(), this.#randomId()));
    // 'wx' is O_CREAT|O_EXCL: a file or symlink planted at the temp path makes this fail.
    const handle = await fs.open(tempPath, 'wx', 0o600).catch((error: unknown) => {
      throw fileError('create temporary file in', this.location, error);
    });
    const stream = createWriteStream('', {
      fd: handle.fd,
      autoClose: false,
      highWaterMark: 1 << 20,
    });
    return new LocalPending({ handle, stream, tempPath, finalPath, directory: this.location });
  }

  open(name: string): Readable {
    return createReadStream(this.pathOf(name), { highWaterMark: 1 << 20 });
  }

  async stat(name: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await fs.stat(this.pathOf(name));
      return { name, size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fileError('read', this.pathOf(name), error);
    }
  }

  async list(): Promise<string[]> {
    try {
      const entries = await fs.readdir(this.location, { withFileTypes: true });
      return entries.filter((e) => e.isFile() && !e.name.startsWith(tempPrefix)).map((e) => e.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fileError('list backup directory', this.location, error);
    }
  }

  async remove(name: string): Promise<void> {
    await fs.rm(this.pathOf(name), { force: true });
  }

  async writeSmall(name: string, data: string): Promise<void> {
    const pending = await this.create(name);
    try {
      await new Promise<void>((resolve, reject) => {
        pending.stream.once('error', reject);
        pending.stream.end(data, resolve);
      });
      await pending.commit();
    } catch (error) {
      await pending.abort();
      throw error;
    }
  }

  async readSmall(name: string): Promise<string> {
    return fs.readFile(this.pathOf(name), 'utf8').catch((error: unknown) => {
      throw fileError('read', this.pathOf(name), error);
    });
  }

  private pathOf(name: string): string {
    if (name !== basename(name) || name === '.' || name === '..' || name === '') {
      throw new Error(`storage name '${name}' is not a single path segment`);
    }
    return join(this.location, name);
  }
}

interface LocalPendingParts {
  handle: fs.FileHandle;
  stream: ReturnType<typeof createWriteStream>;
  tempPath: string;
  finalPath: string;
  directory: string;
}

class LocalPending implements PendingObject {
  readonly stream: ReturnType<typeof createWriteStream>;
  readonly #parts: LocalPendingParts;
  #closed = false;
  #settled = false;

  constructor(parts: LocalPendingParts) {
    this.#parts = parts;
    this.stream = parts.stream;
  }

  readBack(): Readable {
    return createReadStream(this.#parts.tempPath, { highWaterMark: 1 << 20 });
  }

  async flush(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#parts.handle.sync();
      await this.#close();
    } catch (error) {
      await this.abort();
      throw fileError('write', this.#parts.finalPath, error);
    }
  }

  async commit({ syncDirectory: sync = true }: { syncDirectory?: boolean } = {}): Promise<void> {
    const { tempPath, finalPath, directory } = this.#parts;
    await this.flush();
    try {
      // link() refuses to replace an existing name, unlike rename(): a backup is never clobbered.
      await fs.link(tempPath, finalPath);
      await fs.unlink(tempPath);
      if (sync) await syncDirectory(directory);
      this.#settled = true;
    } catch (error) {
      await this.abort();
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new UserError(`backup file '${finalPath}' already exists`, {
          code: ExitCode.tempFail,
          hint: 'Another run wrote a backup with the same name; run again.',
          cause: error,
        });
      }
      throw fileError('write', finalPath, error);
    }
  }

  async abort(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    this.stream.destroy();
    await this.#close().catch(() => undefined);
    await fs.rm(this.#parts.tempPath, { force: true });
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#parts.handle.close();
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
