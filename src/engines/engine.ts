// The DumpEngine contract: what the commands need from PostgreSQL or MySQL/MariaDB.
import type { Readable } from 'node:stream';
import type { Secret } from '../config/secret.js';
import type { EngineType, Manifest, TableFingerprint } from '../manifest/manifest.js';
import type { Spawn } from '../process/run-tool.js';
import type { SessionBudget } from './sessions.js';

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

/** Options only some engines read; an engine ignores the ones it has no use for. */
export interface EngineSettings {
  /** MySQL/MariaDB: DEFINER accounts missing on the target, `rewrite` (default) or `keep`. */
  definers?: string;
}

/** Effects and settings an engine is built with. */
export interface EngineDeps {
  connection: Connection;
  spawn: Spawn;
  /** The caller's environment; children get a copy plus the password, never argv. */
  env: NodeJS.ProcessEnv;
  settings?: EngineSettings;
  /** Server sessions the engine may hold at once (cluster runs); unlimited when absent. */
  sessions?: SessionBudget;
}

/** What the server says about itself. */
export interface ServerInfo {
  flavour: 'postgresql' | 'mariadb' | 'mysql';
  version: string;
  major: number;
  /** Where the server was reached, for manifests and messages. */
  host: string;
  /**
   * What names this server instance however it is reached (socket or TCP, any address), for
   * per-server locks; undefined when the server does not say.
   */
  identity?: string;
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

/** A dump writing into a file descriptor; see {@link DumpEngine.startDumpInto}. */
export interface DumpInto {
  /** Resolves when the dump tool exited 0 and the fingerprints are taken. */
  done: Promise<DumpFacts>;
  /** Stops the dump tool and releases the connection; `done` then rejects. */
  cancel(): void;
  /** Tells the engine output has come out of the pipe's other end: the dump has started. */
  started(): void;
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

/** The read end of a pipe handed to a restore tool; see {@link DumpEngine.restoreFromPipe}. */
export interface PipeInput {
  fd: number;
  taken(): void;
  /** Aborted when the reading failed: the engine stops its tool before it can commit. */
  signal: AbortSignal;
  /**
   * Resolves once everything was written and read intact (rejects otherwise): a restore that
   * stages the dump first waits for it before it changes anything.
   */
  complete: Promise<void>;
}

/** What a finished globals dump adds to the set. */
export interface GlobalsFacts {
  tool: { name: string; version: string };
  /** False when the account could not read passwords: roles are in the dump without them. */
  passwords: boolean;
  /** Caveats the user must see, such as passwords left out. */
  warnings: string[];
}

/** A running globals dump: a script for {@link DumpEngine.restoreGlobals}, and how it ended. */
export interface GlobalsRun {
  stream: Readable;
  /** Resolves when the dump tool exited 0. */
  done: Promise<GlobalsFacts>;
  /** Stops the dump tool; `done` then rejects. */
  cancel(): void;
}

/** What a globals restore did beyond running the script. */
export interface GlobalsRestoreReport {
  /** Objects that already existed on the target and were kept and altered, e.g. 'role "postgres"'. */
  kept: string[];
}

/** Options of {@link DumpEngine.createDatabaseFromDump}. */
export interface CreateFromDumpOptions {
  /** Opens the decompressed dump afresh; the engine may call it more than once, reading part. */
  open: () => Readable;
  /** The database to create: the dumped database's own name. */
  name: string;
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
  /**
   * Offered by engines that need nothing from the dump's bytes: the tool writes straight into
   * a file descriptor (a pipe the compressor reads), so the bytes never pass through node. The
   * engine asks `openOutput` for it after its own checks, right before starting the tool.
   */
  startDumpInto?(database: string, openOutput: () => Promise<number>): Promise<DumpInto>;
  /** Engine-specific checks a restore of this manifest into `target` must pass. */
  checkRestore(manifest: Manifest, target: string, noOwner: boolean): Promise<Check[]>;
  /**
   * Restores a decompressed dump into an existing database. When `isRestoreAtomic(jobs)` is
   * true, a failure leaves the target exactly as it was.
   */
  restore(options: RestoreOptions): Promise<void>;
  /**
   * Offered by engines whose restore needs nothing from the bytes: as `restore`, but the dump
   * comes from `input.fd` (a pipe the decompressor writes into), so the bytes never pass
   * through node. The engine calls `input.taken()` as soon as its tool holds the descriptor.
   */
  restoreFromPipe?(options: Omit<RestoreOptions, 'input'>, input: PipeInput): Promise<void>;
  /** Whether a restore with this many jobs runs as one transaction (all or nothing). */
  isRestoreAtomic(jobs: number): boolean;
  /**
   * Whether a restore with this many jobs first copies the dump into `workdir` (a seekable file
   * for parallel workers), and so needs that much free space there. Absent means never.
   */
  stagesRestore?(jobs: number): boolean;
  /** Reads a whole decompressed dump and checks that it is structurally complete. */
  checkStructure(input: Readable, manifest: Manifest): Promise<StructureReport>;
  /**
   * Offered by engines whose dumps end with a mark of completion: tells from the last bytes of
   * a stored, uncompressed and unencrypted dump (no decompressor or decryption would notice a
   * cut there) whether it was written to its end; `whole` says the tail is the whole file. A
   * restore checks it before touching anything.
   */
  dumpEnded?(tail: Buffer, whole: boolean): boolean;
  /** Exact row counts of every table of a database, in manifest form. */
  countRows(database: string): Promise<TableFingerprint[]>;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  close(): Promise<void>;

  // Whole-server ("cluster") backups: one dump per database plus the server-wide objects.

  /** File-name extension of a globals dump before compression, such as `sql`. */
  readonly globalsExtension: string;
  /**
   * The databases a cluster backup covers: every database on the server except templates and
   * the system databases of the engine; ones the account cannot read are included (and fail).
   */
  listClusterDatabases(): Promise<DatabaseInfo[]>;
  /**
   * Dumps the server-wide objects a whole-server restore needs before any database (roles,
   * memberships, role settings, tablespaces; MySQL users, grants and roles). When the account
   * cannot read something (passwords), the dump goes on without it and `done` lists a warning.
   */
  startGlobalsDump(): Promise<GlobalsRun>;
  /**
   * Applies a globals dump. Objects that already exist (the bootstrap superuser) are kept and
   * altered, and reported; any other error fails the restore. Running it twice is harmless.
   */
  restoreGlobals(input: Readable): Promise<GlobalsRestoreReport>;
  /**
   * Applies, once the databases are restored, what the globals dump holds that needs them
   * (MySQL: grants on tables, columns and routines), for those databases only. `open` reads
   * the same globals dump afresh; an engine with nothing to do never calls it. Harmless twice.
   */
  finishGlobals(open: () => Readable, databases: readonly string[]): Promise<void>;
  /**
   * Creates the missing database `name` as its dump describes it (encoding, locale, owner,
   * grants, database-level settings), ready for {@link restore}. The dump must be of a database
   * of that very name; the roles it names must exist.
   */
  createDatabaseFromDump(options: CreateFromDumpOptions): Promise<void>;
}
