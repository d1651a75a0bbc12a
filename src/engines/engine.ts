// The DumpEngine contract: what the commands need from PostgreSQL or MySQL/MariaDB.
import type { Readable } from 'node:stream';
import type { Secret } from '../config/secret.js';
import type { EngineType, Manifest, TableFingerprint } from '../manifest/manifest.js';
import type { Spawn } from '../process/run-tool.js';

/** How to reach a server. Every field is optional; the vendor defaults apply. */
export interface Connection {
  host?: string;
  port?: number;
  socket?: string;
  user?: string;
  password?: Secret;
  /** Database for maintenance queries (listing, creating, dropping). */
  database?: string;
}

/** Effects and settings an engine is built with. */
export interface EngineDeps {
  connection: Connection;
  spawn: Spawn;
  /** The caller's environment; children get a copy plus the password, never argv. */
  env: NodeJS.ProcessEnv;
}

/** What the server says about itself. */
export interface ServerInfo {
  flavour: 'postgresql' | 'mariadb' | 'mysql';
  version: string;
  major: number;
  /** Where the server was reached, for manifests and messages. */
  host: string;
}

/** A client tool found on PATH and whether it can serve the server. */
export interface ToolInfo {
  name: string;
  version: string | null;
  fits: boolean;
  note?: string;
}

/** A database on the server. */
export interface DatabaseInfo {
  name: string;
  sizeBytes: number;
}

/** Facts a finished dump adds to the manifest. */
export interface DumpFacts {
  tool: { name: string; version: string };
  tables: TableFingerprint[];
  counts: 'same-snapshot' | 'beside-dump';
  roles: string[];
  extensions: string[];
}

/** A running dump: its output stream and how it ended. */
export interface DumpRun {
  stream: Readable;
  /** Resolves when the dump tool exited 0 and the fingerprints are taken. */
  done: Promise<DumpFacts>;
  /** Stops the dump tool and releases the connection; `done` then rejects. */
  cancel(): void;
}

/** One pre-restore check and its outcome. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** On failure: the error the restore would stop with. */
  error?: Error;
  /** On a pass with a caveat: what the restore will lose, shown as a warning when it runs. */
  warning?: string;
}

/** Options of {@link DumpEngine.restore}. */
export interface RestoreOptions {
  input: Readable;
  target: string;
  manifest: Manifest;
  clean: boolean;
  jobs: number;
  noOwner: boolean;
  /** Directory for a staged copy of the dump when `jobs` > 1 needs a seekable file. */
  workdir: string;
}

/** What a structure check read from a dump. */
export interface StructureReport {
  entries: number;
  tablesWithData: number;
  missingTables: string[];
}

/**
 * One database engine. Implementations spawn the vendor tools with argv arrays (never a
 * shell) and pass passwords only through the child's environment or a 0600 option file.
 * Every method fails with a UserError carrying an exit code from src/errors.ts; any other
 * error is a bug. Methods may be called in any order; `close` releases pooled connections.
 */
export interface DumpEngine {
  readonly type: EngineType;
  /** The `dumpFormat` written to manifests, such as `pg-custom`. */
  readonly dumpFormat: string;
  /** File-name extension of a dump before compression, such as `pgdump`. */
  readonly extension: string;
  probeServer(): Promise<ServerInfo>;
  checkTools(server: ServerInfo): Promise<ToolInfo[]>;
  listDatabases(): Promise<DatabaseInfo[]>;
  /** The database, or undefined when it does not exist. */
  findDatabase(name: string): Promise<DatabaseInfo | undefined>;
  /** Counts the user objects in a database (0 means it is empty). */
  countObjects(name: string): Promise<number>;
  startDump(database: string): Promise<DumpRun>;
  /** Engine-specific checks a restore of this manifest into `target` must pass. */
  checkRestore(manifest: Manifest, target: string, noOwner: boolean): Promise<Check[]>;
  /**
   * Restores a decompressed dump into an existing database. When `isRestoreAtomic(jobs)` is
   * true, a failure leaves the target exactly as it was.
   */
  restore(options: RestoreOptions): Promise<void>;
  /** Whether a restore with this many jobs runs as one transaction (all or nothing). */
  isRestoreAtomic(jobs: number): boolean;
  /** Reads a whole decompressed dump and checks that it is structurally complete. */
  checkStructure(input: Readable, manifest: Manifest): Promise<StructureReport>;
  /** Exact row counts of every table of a database, in manifest form. */
  countRows(database: string): Promise<TableFingerprint[]>;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  close(): Promise<void>;
}
