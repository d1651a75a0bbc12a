// MysqlEngine: mariadb-dump / mysqldump and the mariadb / mysql client behind DumpEngine.
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import type { Manifest, TableFingerprint } from '../../manifest/manifest.js';
import type {
  Check,
  CreateFromDumpOptions,
  DatabaseInfo,
  DumpEngine,
  DumpRun,
  EngineDeps,
  GlobalsRestoreReport,
  GlobalsRun,
  RestoreOptions,
  ServerInfo,
  StructureReport,
  ToolInfo,
} from '../engine.js';
import { takeSession, withSessions, type Release } from '../sessions.js';
import { assertListsAllDatabases, createStatementFor, readHead } from './cluster.js';
import { connectSession, queryRows, quoteIdent, text, type MysqlSession } from './client.js';
import { definersToRewrite, parseDefinerPolicy, type DefinerPolicy } from './definers.js';
import { assertCanDump } from './dump-access.js';
import { startMysqlDump } from './dump.js';
import { startMysqlGlobalsDump } from './globals.js';
import { checkGlobalsScript } from './globals-script.js';
import { restoreMysqlGlobals, type RestoreMysqlGlobalsInput } from './globals-restore.js';
import { classifyDriverError } from './errors.js';
import * as q from './queries.js';
import { restoreChecks } from './restore-checks.js';
import { runClientRestore } from './restore.js';
import { checkDump, endsWithTrailer } from './structure.js';
import { endpointLabel, resolveTarget, type MysqlTarget } from './target.js';
import { parseServerVersion, pickTool, type PickedTool } from './tools.js';

/** The MySQL and MariaDB engine; the flavour is read from the server. */
export class MysqlEngine implements DumpEngine {
  readonly type = 'mysql' as const;
  readonly dumpFormat = 'mysql-sql';
  readonly extension = 'sql';
  readonly globalsExtension = 'sql';
  readonly #deps: EngineDeps;
  readonly #policy: DefinerPolicy;
  #target: Promise<MysqlTarget> | undefined;
  #server: ServerInfo | undefined;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
    this.#policy = parseDefinerPolicy(deps.settings?.definers);
  }

  async probeServer(): Promise<ServerInfo> {
    if (this.#server !== undefined) return this.#server;
    const target = await this.#resolve();
    // Host name, port and data directory name the instance whichever socket or address
    // reached it: the per-server lock goes by them.
    const [row] = await this.#query(
      'SELECT VERSION() AS v, @@hostname AS h, @@port AS p, @@datadir AS d',
    );
    const { flavour, version } = parseServerVersion(text(row?.v));
    const major = Number(version.split('.')[0] ?? 0);
    const identity = `host ${text(row?.h)} port ${text(row?.p)} datadir ${text(row?.d)}`;
    this.#server = { flavour, version, major, host: endpointLabel(target.endpoint), identity };
    return this.#server;
  }

  async checkTools(server: ServerInfo): Promise<ToolInfo[]> {
    const { spawn, env } = this.#deps;
    const tools = await Promise.all([
      pickTool(spawn, env, server, 'dump'),
      pickTool(spawn, env, server, 'client'),
    ]);
    return tools.map(({ name, version, fits, note }) => ({ name, version, fits, note }));
  }

  async listDatabases(): Promise<DatabaseInfo[]> {
    return this.#withSession((s) => q.listDatabases(s));
  }

  async findDatabase(name: string): Promise<DatabaseInfo | undefined> {
    return this.#withSession((s) => q.findDatabase(s, name));
  }

  async countObjects(name: string): Promise<number> {
    return this.#withSession((s) => q.countObjects(s, name));
  }

  async startDump(database: string): Promise<DumpRun> {
    const server = await this.probeServer();
    const { spawn, env } = this.#deps;
    const tool = await pickTool(spawn, env, server, 'dump');
    assertFits(tool, 'back up');

    const facts = await this.#withSession(async (s) => {
      if ((await q.findDatabase(s, database)) === undefined)
        throw missingDatabase(database, server);
      await assertCanDump(s, server.flavour === 'mariadb' ? 'mariadb' : 'mysql', database);
      return {
        tables: await q.baseTables(s, database),
        definers: await q.definers(s, database),
        defaults: await q.schemaDefaults(s, database),
      };
    });
    const target = await this.#resolve();
    return this.#holdSession(
      () => startMysqlDump({ spawn, env, target, server, tool, database, ...facts }),
      (run, release) => void run.done.finally(release).catch(() => undefined),
    );
  }

  async checkRestore(manifest: Manifest, _target: string, noOwner: boolean): Promise<Check[]> {
    const plan = await this.#restorePlan(manifest, noOwner);
    return restoreChecks({ manifest, policy: this.#policy, noOwner, ...plan });
  }

  async restore(options: RestoreOptions): Promise<void> {
    const { manifest, noOwner, input, target: database } = options;
    const { client, rewrite } = await this.#restorePlan(manifest, noOwner);
    assertFits(client, 'restore into');
    const { spawn, env } = this.#deps;
    const target = await this.#resolve();
    await withSessions(this.#deps.sessions, 1, () =>
      runClientRestore({ spawn, env, target, client: client.name, input, database, rewrite }),
    );
  }

  isRestoreAtomic(): boolean {
    // MySQL and MariaDB commit every CREATE, DROP and ALTER on their own.
    return false;
  }

  dumpEnded(tail: Buffer, whole: boolean): boolean {
    return endsWithTrailer(tail, whole);
  }

  async checkStructure(input: Readable, manifest: Manifest): Promise<StructureReport> {
    // The globals member of a cluster set (jobs/cluster/globals-engine.ts) is no mariadb-dump.
    if (manifest.dumpFormat === 'globals-sql') return checkGlobalsScript(input);
    return checkDump(input, manifest);
  }

  async countRows(database: string): Promise<TableFingerprint[]> {
    return this.#withSession((s) => q.countRows(s, database));
  }

  async createDatabase(name: string): Promise<void> {
    await this.#query(`CREATE DATABASE ${quoteIdent(name)}`);
  }

  async dropDatabase(name: string): Promise<void> {
    await this.#query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  }

  async close(): Promise<void> {
    // Sessions are opened per call and closed at once; nothing is pooled.
  }

  async listClusterDatabases(): Promise<DatabaseInfo[]> {
    return this.#withSession(async (s) => {
      await assertListsAllDatabases(s);
      return q.listDatabases(s);
    });
  }

  async startGlobalsDump(): Promise<GlobalsRun> {
    const server = await this.probeServer();
    const target = await this.#resolve();
    return this.#holdSession(
      () => startMysqlGlobalsDump({ target, server }),
      (run, release) => run.stream.once('close', release),
    );
  }

  async restoreGlobals(input: Readable): Promise<GlobalsRestoreReport> {
    return this.#restoreGlobals(input, { kind: 'accounts' });
  }

  async finishGlobals(open: () => Readable, databases: readonly string[]): Promise<void> {
    await this.#restoreGlobals(open(), { kind: 'objects', databases });
  }

  async #restoreGlobals(input: Readable, pass: RestoreMysqlGlobalsInput['pass']) {
    try {
      const { flavour } = await this.probeServer();
      const target = await this.#resolve();
      const family = flavour === 'mariadb' ? 'mariadb' : 'mysql';
      return await withSessions(this.#deps.sessions, 1, () =>
        restoreMysqlGlobals({ target, flavour: family, input, pass }),
      );
    } finally {
      input.destroy();
    }
  }

  async createDatabaseFromDump({ open, name }: CreateFromDumpOptions): Promise<void> {
    await this.#query(createStatementFor(name, await readHead(open())));
  }

  async #restorePlan(manifest: Manifest, noOwner: boolean) {
    const server = await this.probeServer();
    const { spawn, env } = this.#deps;
    const client = await pickTool(spawn, env, server, 'client');
    const definers = manifest.requires.roles;
    const { currentUser, existing } = await this.#withSession(async (s) => ({
      currentUser: await q.currentUser(s),
      existing: await q.existingAccounts(s, definers),
    }));
    const rewrite = definersToRewrite({
      policy: this.#policy,
      noOwner,
      definers,
      existing,
      currentUser,
    });
    return { client, currentUser, existing, rewrite };
  }

  #resolve(): Promise<MysqlTarget> {
    this.#target ??= resolveTarget({ connection: this.#deps.connection, env: this.#deps.env });
    return this.#target;
  }

  async #withSession<T>(work: (session: MysqlSession) => Promise<T>): Promise<T> {
    const target = await this.#resolve();
    return withSessions(this.#deps.sessions, 1, async () => {
      const session = await connectSession(target);
      try {
        return await work(session);
      } catch (error) {
        throw classifyDriverError('query failed', error);
      } finally {
        await session.end().catch(() => undefined);
      }
    });
  }

  /** Takes a session of the budget for a tool or stream that outlives the call starting it. */
  async #holdSession<T>(start: () => Promise<T>, onStarted: (run: T, release: Release) => void) {
    const release = await takeSession(this.#deps.sessions);
    try {
      const run = await start();
      onStarted(run, release);
      return run;
    } catch (error) {
      release();
      throw error;
    }
  }

  async #query(sql: string) {
    return this.#withSession((s) => queryRows(s, sql));
  }
}

function assertFits(tool: PickedTool, job: string): void {
  if (tool.fits) return;
  throw new UserError(`${tool.name} cannot ${job} this server: ${tool.note ?? 'not usable'}`, {
    code: ExitCode.config,
    hint: 'Install the client tools of the server family, at least its version (mariadb-client).',
  });
}

function missingDatabase(database: string, server: ServerInfo): UserError {
  return new UserError(`database '${database}' does not exist on ${server.host}`, {
    code: ExitCode.noInput,
    hint: 'Check the name with `dbbackup list databases`; names are case-sensitive.',
  });
}
