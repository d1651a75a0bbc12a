// The StorageTarget contract: where backup files and manifests are kept.
import type { Readable, Writable } from 'node:stream';

/** A file being written; nothing exists under its final name until `commit` succeeds. */
export interface PendingObject {
  /** Where the bytes go. The caller ends it; errors (disk full) surface on the stream. */
  readonly stream: Writable;
  /**
   * Reads back what was written, after `stream` has finished, to check it before commit; it
   * may run while `flush` does.
   */
  readBack(): Readable;
  /** Flushes the bytes to stable storage; `commit` does it when not done before. */
  flush(): Promise<void>;
  /**
   * Flushes to stable storage and publishes under the final name. Never replaces an existing
   * object: if the name is taken, it fails with a UserError and the pending data is removed.
   * `syncDirectory: false` leaves the directory's own flush to a commit that follows at once.
   */
  commit(options?: { syncDirectory?: boolean }): Promise<void>;
  /** Removes the pending data. Safe to call after a failure, and more than once. */
  abort(): Promise<void>;
}

/** Facts about a stored object. */
export interface ObjectInfo {
  name: string;
  size: number;
}

/**
 * A place that holds backups: a local directory, later object storage.
 * Names are single path segments chosen by the tool (see plan/backup-name.ts); a target
 * rejects anything else. Errors are UserErrors with exit codes from src/errors.ts.
 */
export interface StorageTarget {
  /** How the target is shown to people, e.g. the directory path. */
  readonly location: string;
  /** Creates the target if needed (private) and proves it is writable, before any dump runs. */
  prepare(): Promise<void>;
  /** Starts writing a new object under a private temporary name. */
  create(name: string): Promise<PendingObject>;
  /** Opens an object for reading; a missing one fails with exit code 66. */
  open(name: string): Readable;
  /** Size of an object, or undefined when it does not exist. */
  stat(name: string): Promise<ObjectInfo | undefined>;
  /** Names of the published objects (never temporary ones), in no particular order. */
  list(): Promise<string[]>;
  /** Deletes an object; a missing one is not an error. */
  remove(name: string): Promise<void>;
  /** Writes a small object atomically (create, write, commit). */
  writeSmall(name: string, data: string): Promise<void>;
  /** Reads a small object whole. */
  readSmall(name: string): Promise<string>;
}
