// MemoryTarget: a StorageTarget in memory, with optional fault injection, for tests and dry runs.
import { PassThrough, Readable, Writable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import type { ObjectInfo, PendingObject, StorageTarget } from '../storage.js';

/** Faults a MemoryTarget can simulate. */
export interface MemoryFaults {
  /** Fail writes once an object grows past this many bytes, like a full disk. */
  capacityBytes?: number;
  /** Fail `prepare`, like a read-only directory. */
  readOnly?: boolean;
  /** Flip one byte of what `readBack` returns, like a disk that returns other bytes. */
  flipOnReadBack?: boolean;
}

/** Keeps objects in a Map; temporary objects are invisible until committed. */
export class MemoryTarget implements StorageTarget {
  readonly location: string;
  readonly objects = new Map<string, Buffer>();
  /** Objects being written and not yet committed or aborted. */
  readonly pending = new Set<string>();
  readonly #faults: MemoryFaults;

  constructor(location = 'memory:', faults: MemoryFaults = {}) {
    this.location = location;
    this.#faults = faults;
  }

  prepare(): Promise<void> {
    if (this.#faults.readOnly === true) {
      return Promise.reject(
        new UserError(`unable to write to backup directory '${this.location}': read-only`, {
          code: ExitCode.noPermission,
          hint: 'Choose a writable backup directory.',
        }),
      );
    }
    return Promise.resolve();
  }

  create(name: string): Promise<PendingObject> {
    const chunks: Buffer[] = [];
    let size = 0;
    const capacity = this.#faults.capacityBytes ?? Infinity;
    const key = `${name}#${this.pending.size}`;
    this.pending.add(key);
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        size += chunk.length;
        if (size > capacity) {
          done(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
          return;
        }
        chunks.push(chunk);
        done();
      },
    });
    let settled = false;
    const pending: PendingObject = {
      stream,
      readBack: () => {
        const data = Buffer.concat(chunks);
        if (this.#faults.flipOnReadBack === true && data.length > 0) {
          const middle = data.length >> 1;
          data[middle] = (data[middle] ?? 0) ^ 0xff;
        }
        return Readable.from([data]);
      },
      flush: () => Promise.resolve(),
      commit: () => {
        settled = true;
        this.pending.delete(key);
        if (this.objects.has(name)) {
          return Promise.reject(
            new UserError(`backup file '${name}' already exists`, { code: ExitCode.tempFail }),
          );
        }
        this.objects.set(name, Buffer.concat(chunks));
        return Promise.resolve();
      },
      abort: () => {
        if (!settled) this.pending.delete(key);
        settled = true;
        return Promise.resolve();
      },
    };
    return Promise.resolve(pending);
  }

  open(name: string): Readable {
    const data = this.objects.get(name);
    if (data === undefined) {
      const stream = new PassThrough();
      stream.destroy(
        new UserError(`unable to open backup '${name}': no such object`, {
          code: ExitCode.noInput,
        }),
      );
      return stream;
    }
    return Readable.from([data]);
  }

  stat(name: string): Promise<ObjectInfo | undefined> {
    const data = this.objects.get(name);
    return Promise.resolve(data === undefined ? undefined : { name, size: data.length });
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.objects.keys()]);
  }

  remove(name: string): Promise<void> {
    this.objects.delete(name);
    return Promise.resolve();
  }

  async writeSmall(name: string, data: string): Promise<void> {
    const pending = await this.create(name);
    await new Promise<void>((resolve, reject) => {
      pending.stream.once('error', reject);
      pending.stream.end(Buffer.from(data), resolve);
    });
    await pending.commit();
  }

  readSmall(name: string): Promise<string> {
    const data = this.objects.get(name);
    if (data === undefined) {
      return Promise.reject(new UserError(`no object '${name}'`, { code: ExitCode.noInput }));
    }
    return Promise.resolve(data.toString('utf8'));
  }
}
