// A scripted DumpEngine double: emits given chunks, then succeeds or fails as told.
import { Readable } from 'node:stream';
import type {
  Check,
  CreateFromDumpOptions,
  DatabaseInfo,
  DumpEngine,
  DumpFacts,
  DumpRun,
  GlobalsRestoreReport,
  GlobalsRun,
  RestoreOptions,
  ServerInfo,
  StructureReport,
  ToolInfo,
} from '../../src/engines/engine.js';
import { ExitCode, UserError } from '../../src/errors.js';
import type { Manifest, TableFingerprint } from '../../src/manifest/manifest.js';

/** The script a FakeEngine follows. */
export interface FakeScript {
  databases?: DatabaseInfo[];
  chunks?: Buffer[];
  /** Fail the dump after its chunks, like pg_dump dying half way. */
  dumpError?: Error;
  tables?: TableFingerprint[];
}

/** Records what was asked of it; the dump streams `chunks`. */
export class FakeEngine implements DumpEngine {
  readonly type = 'postgres' as const;
  readonly dumpFormat = 'pg-custom';
  readonly extension = 'pgdump';
  readonly calls: string[] = [];
  readonly restored: Buffer[] = [];
  readonly #script: FakeScript;

  constructor(script: FakeScript = {}) {
    this.#script = script;
  }

  probeServer(): Promise<ServerInfo> {
    this.calls.push('probeServer');
    return Promise.resolve({
      flavour: 'postgresql',
      version: '15.0',
      major: 15,
      host: 'fake:5432',
    });
  }

  checkTools(): Promise<ToolInfo[]> {
    return Promise.resolve([{ name: 'pg_dump', version: '15.0', fits: true }]);
  }

  listDatabases(): Promise<DatabaseInfo[]> {
    return Promise.resolve(this.#script.databases ?? [{ name: 'app', sizeBytes: 1000 }]);
  }

  async findDatabase(name: string): Promise<DatabaseInfo | undefined> {
    return (await this.listDatabases()).find((db) => db.name === name);
  }

  countObjects(): Promise<number> {
    return Promise.resolve(0);
  }

  startDump(database: string): Promise<DumpRun> {
    this.calls.push(`startDump ${database}`);
    const { chunks = [Buffer.from('PGDMP fake dump')], dumpError } = this.#script;
    const stream = Readable.from(chunks);
    const facts: DumpFacts = {
      tool: { name: 'pg_dump', version: '15.0' },
      tables: this.#script.tables ?? [{ schema: 'public', name: 't', rows: 3 }],
      counts: 'same-snapshot',
      roles: [],
      extensions: [],
    };
    const done = new Promise<DumpFacts>((resolve, reject) => {
      stream.once('end', () => (dumpError === undefined ? resolve(facts) : reject(dumpError)));
    });
    done.catch(() => undefined);
    return Promise.resolve({ stream, done, cancel: () => stream.destroy() });
  }

  checkRestore(): Promise<Check[]> {
    return Promise.resolve([]);
  }

  async restore({ input }: RestoreOptions): Promise<void> {
    for await (const chunk of input) this.restored.push(chunk as Buffer);
  }

  isRestoreAtomic(): boolean {
    return true;
  }

  checkStructure(): Promise<StructureReport> {
    return Promise.resolve({ entries: 1, tablesWithData: 1, missingTables: [] });
  }

  countRows(): Promise<TableFingerprint[]> {
    return Promise.resolve(this.#script.tables ?? [{ schema: 'public', name: 't', rows: 3 }]);
  }

  createDatabase(): Promise<void> {
    return Promise.resolve();
  }

  dropDatabase(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  readonly globalsExtension = 'sql';

  listClusterDatabases(): Promise<DatabaseInfo[]> {
    return this.listDatabases();
  }

  startGlobalsDump(): Promise<GlobalsRun> {
    this.calls.push('startGlobalsDump');
    const stream = Readable.from([Buffer.from('CREATE ROLE fake;\n')]);
    const facts = { tool: { name: 'pg_dumpall', version: '15.0' }, passwords: true, warnings: [] };
    return Promise.resolve({
      stream,
      done: Promise.resolve(facts),
      cancel: () => stream.destroy(),
    });
  }

  async restoreGlobals(input: Readable): Promise<GlobalsRestoreReport> {
    for await (const chunk of input) this.restored.push(chunk as Buffer);
    return { kept: [] };
  }

  finishGlobals(_open: () => Readable, databases: readonly string[]): Promise<void> {
    this.calls.push(`finishGlobals ${databases.join(',')}`);
    return Promise.resolve();
  }

  createDatabaseFromDump({ name }: CreateFromDumpOptions): Promise<void> {
    this.calls.push(`createDatabaseFromDump ${name}`);
    return Promise.resolve();
  }
}

/** A dump failure as pg_dump reports it. */
export function dumpFailure(message: string): UserError {
  return new UserError(`pg_dump exited with 1: ${message}`, { code: ExitCode.failure });
}

/** Reads a manifest out of a memory target. */
export function manifestOf(objects: Map<string, Buffer>): Manifest {
  const entry = [...objects].find(([name]) => name.endsWith('.manifest.json'));
  if (entry === undefined) throw new Error('no manifest written');
  return JSON.parse(entry[1].toString('utf8')) as Manifest;
}
