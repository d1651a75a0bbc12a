// PostgresEngine: pg_dump (custom format, our compression) and pg_restore behind DumpEngine.
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import type { Manifest, TableFingerprint } from '../../manifest/manifest.js';
import type {
  Check,
  CreateFromDumpOptions,
  DatabaseInfo,
  DumpEngine,
  DumpInto,
  DumpRun,
  EngineDeps,
  GlobalsRestoreReport,
  GlobalsRun,
  PipeInput,
  RestoreOptions,
  ServerInfo,
  StructureReport,
  ToolInfo,
} from '../engine.js';
import { withSessions } from '../sessions.js';
import { connectClient, quoteIdent, type PgClient } from './client.js';
import { effectiveHost } from './conninfo.js';
import { createFromArchive } from './create-from-dump.js';
import { startPgDump, startPgDumpInto } from './dump.js';
import { classifyDriverError } from './errors.js';
import { startPgDumpall } from './globals.js';
import { restorePgGlobals } from './globals-restore.js';
import { countTables, countUserObjects } from './queries.js';
import { restoreChecks } from './restore-checks.js';
import { runRestore, runRestoreFromPipe } from './restore.js';
import { checkArchive } from './structure.js';
import { fitTool, majorOf, toolVersion } from './tools.js';

const toolNames = ['pg_dump', 'pg_restore', 'psql'];

/** The PostgreSQL engine. */
export class PostgresEngine implements DumpEngine {
  readonly type = 'postgres' as const;
  readonly dumpFormat = 'pg-custom';
  readonly extension = 'pgdump';
  readonly globalsExtension = 'sql';
  readonly #deps: EngineDeps;
  #server: ServerInfo | undefined;
  #versions: Promise<(string | null)[]> | undefined;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  get #maintenanceDb(): string {
    return this.#deps.connection.database ?? 'postgres';
  }

  async probeServer(): Promise<ServerInfo> {
    if (this.#server !== undefined) return this.#server;
    // Every command that probes asks for the tools next: their versions come meanwhile.
    this.#versions ??= this.#toolVersions();
    this.#versions.catch(() => undefined);
    const { rows, identity } = await this.#withClient(this.#maintenanceDb, async (client) => {
      const found = await client.query<{ v: string; n: string; port: string }>(
        `SELECT current_setting('server_version') AS v,
                current_setting('server_version_num') AS n, current_setting('port') AS port`,
      );
      return { rows: found.rows, identity: await instanceIdentity(client, found.rows[0]) };
    });
    const version = (rows[0]?.v ?? '0').split(' ')[0] ?? '0';
    const num = Number(rows[0]?.n ?? 0);
    const { connection } = this.#deps;
    const host = `${effectiveHost(connection) ?? '/var/run/postgresql'}:${connection.port ?? 5432}`;
    this.#server = {
      flavour: 'postgresql',
      version,
      major: num >= 100000 ? Math.floor(num / 10000) : majorOf(version),
      host,
      identity,
    };
    return this.#server;
  }

  async checkTools(server: ServerInfo): Promise<ToolInfo[]> {
    // Asked once per engine: a cluster run would otherwise start three tools per database.
    this.#versions ??= this.#toolVersions();
    const versions = await this.#versions;
    return toolNames.map((name, i) => fitTool(name, versions[i] ?? null, server));
  }

  async #toolVersions(): Promise<(string | null)[]> {
    const { spawn, env } = this.#deps;
    return Promise.all(toolNames.map((name) => toolVersion(spawn, env, name)));
  }

  async listDatabases(): Promise<DatabaseInfo[]> {
    return this.#databases('datallowconn AND NOT datistemplate');
  }

  async findDatabase(name: string): Promise<DatabaseInfo | undefined> {
    const all = await this.listDatabases();
    return all.find((db) => db.name === name);
  }

  async countObjects(name: string): Promise<number> {
    return this.#withClient(name, (client) => countUserObjects(client));
  }

  async startDump(database: string): Promise<DumpRun> {
    return startPgDump({ ...this.#deps, database, pgDump: await this.#pgDump() });
  }

  async startDumpInto(database: string, openOutput: () => Promise<number>): Promise<DumpInto> {
    const pgDump = await this.#pgDump();
    return startPgDumpInto({ ...this.#deps, database, pgDump }, openOutput);
  }

  async #pgDump(): Promise<ToolInfo> {
    const server = await this.probeServer();
    const tools = await this.checkTools(server);
    const pgDump = tools.find((t) => t.name === 'pg_dump');
    assertFits(pgDump);
    return pgDump;
  }

  async checkRestore(manifest: Manifest, target: string, noOwner: boolean): Promise<Check[]> {
    return restoreChecks({
      manifest,
      noOwner,
      target,
      server: await this.probeServer(),
      tools: await this.checkTools(await this.probeServer()),
      query: (sql, params) => this.#query(this.#maintenanceDb, sql, params),
    });
  }

  async restore(options: RestoreOptions): Promise<void> {
    // pg_restore --jobs=N holds N worker sessions and its leader.
    const sessions = options.jobs <= 1 ? 1 : options.jobs + 1;
    await withSessions(this.#deps.sessions, sessions, () =>
      runRestore({ ...this.#deps, ...options }),
    );
  }

  async restoreFromPipe(options: Omit<RestoreOptions, 'input'>, input: PipeInput): Promise<void> {
    const sessions = options.jobs <= 1 ? 1 : options.jobs + 1;
    await withSessions(this.#deps.sessions, sessions, () =>
      runRestoreFromPipe({ ...this.#deps, ...options }, input),
    );
  }

  isRestoreAtomic(jobs: number): boolean {
    return jobs <= 1;
  }

  stagesRestore(jobs: number): boolean {
    return jobs > 1;
  }

  async checkStructure(input: Readable, manifest: Manifest): Promise<StructureReport> {
    const { spawn, env } = this.#deps;
    return checkArchive({ spawn, env, input, manifest });
  }

  async countRows(database: string): Promise<TableFingerprint[]> {
    return this.#withClient(database, async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query('SET row_security = off');
      return countTables(client);
    });
  }

  async createDatabase(name: string): Promise<void> {
    await this.#query(this.#maintenanceDb, `CREATE DATABASE ${quoteIdent(name)}`);
  }

  async dropDatabase(name: string): Promise<void> {
    await this.#query(this.#maintenanceDb, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  }

  async close(): Promise<void> {
    // Connections are opened per call and closed at once; nothing is pooled.
  }

  async listClusterDatabases(): Promise<DatabaseInfo[]> {
    // Templates are skipped (template1 is re-made by initdb); `postgres` is kept: it can hold
    // user objects, as pg_dumpall keeps it too.
    // A database that refuses connections is listed, so its backup fails loudly, not silently.
    return this.#databases('NOT datistemplate');
  }

  async startGlobalsDump(): Promise<GlobalsRun> {
    const server = await this.probeServer();
    const version = await toolVersion(this.#deps.spawn, this.#deps.env, 'pg_dumpall');
    assertFits(fitTool('pg_dumpall', version, server));
    const [who] = await this.#query<{ account: string; ok: boolean }>(
      this.#maintenanceDb,
      `SELECT current_user AS account, has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS ok`,
    );
    return startPgDumpall({
      ...this.#deps,
      maintenanceDb: this.#maintenanceDb,
      toolVersion: version ?? 'unknown',
      canReadPasswords: who?.ok === true,
      account: who?.account ?? 'unknown',
    });
  }

  async restoreGlobals(input: Readable): Promise<GlobalsRestoreReport> {
    const roles = await this.#query<{ name: string }>(
      this.#maintenanceDb,
      'SELECT rolname AS name FROM pg_roles',
    );
    const spaces = await this.#query<{ name: string }>(
      this.#maintenanceDb,
      'SELECT spcname AS name FROM pg_tablespace',
    );
    return restorePgGlobals({
      ...this.#deps,
      input,
      maintenanceDb: this.#maintenanceDb,
      existing: {
        roles: new Set(roles.map((r) => r.name)),
        tablespaces: new Set(spaces.map((t) => t.name)),
      },
    });
  }

  finishGlobals(): Promise<void> {
    // pg_dumpall's globals need no database: everything was applied before them.
    return Promise.resolve();
  }

  async createDatabaseFromDump(options: CreateFromDumpOptions): Promise<void> {
    await createFromArchive({ ...this.#deps, ...options, maintenanceDb: this.#maintenanceDb });
  }

  async #withClient<T>(database: string, work: (client: PgClient) => Promise<T>): Promise<T> {
    return withSessions(this.#deps.sessions, 1, async () => {
      const client = await connectClient(this.#deps.connection, database);
      try {
        return await work(client);
      } catch (error) {
        throw classifyDriverError(`query on '${database}' failed`, error);
      } finally {
        await client.end().catch(() => undefined);
      }
    });
  }

  async #databases(where: string): Promise<DatabaseInfo[]> {
    const rows = await this.#query<{ name: string; size: string | null }>(
      this.#maintenanceDb,
      `SELECT datname AS name,
              CASE WHEN datallowconn AND has_database_privilege(oid, 'CONNECT')
                   THEN pg_database_size(oid)::text END AS size
       FROM pg_database WHERE ${where} ORDER BY datname`,
    );
    return rows.map((r) => ({ name: r.name, sizeBytes: Number(r.size ?? 0) }));
  }

  async #query<T extends object>(database: string, sql: string, params: unknown[] = []) {
    return this.#withClient(database, async (client) => (await client.query<T>(sql, params)).rows);
  }
}

function assertFits(tool: ToolInfo | undefined): asserts tool is ToolInfo {
  if (tool?.fits === true) return;
  const name = tool?.name ?? 'pg_dump';
  throw new UserError(`${name} cannot back up this server: ${tool?.note ?? 'not found'}`, {
    code: ExitCode.config,
    hint: 'Install the PostgreSQL client tools of the server version or newer.',
  });
}

/**
 * The cluster's system identifier (pg_control, 9.6+) and the port it listens on: the same
 * whichever socket or address reached it. A streaming replica shares its primary's identifier,
 * so the two are told apart only by port; one on the same port counts as the same server and
 * waits for the other's lock rather than running beside it.
 */
async function instanceIdentity(
  client: PgClient,
  row: { n: string; port: string } | undefined,
): Promise<string | undefined> {
  if (row === undefined || Number(row.n) < 90600) return undefined;
  try {
    const found = await client.query<{ id: string }>(
      'SELECT system_identifier::text AS id FROM pg_control_system()',
    );
    const id = found.rows[0]?.id;
    return id === undefined ? undefined : `system ${id} port ${row.port}`;
  } catch {
    // Revoked by some hosted services: the lock then goes by the address instead.
    return undefined;
  }
}
