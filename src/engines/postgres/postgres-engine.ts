// PostgresEngine: pg_dump (custom format, our compression) and pg_restore behind DumpEngine.
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import type { Manifest, TableFingerprint } from '../../manifest/manifest.js';
import { startTool } from '../../process/run-tool.js';
import type {
  Check,
  DatabaseInfo,
  DumpEngine,
  DumpRun,
  EngineDeps,
  RestoreOptions,
  ServerInfo,
  StructureReport,
  ToolInfo,
} from '../engine.js';
import { connectClient, quoteIdent, type PgClient } from './client.js';
import { childEnv, connectionArgs, dbnameConninfo, effectiveHost } from './conninfo.js';
import { classifyDriverError, classifyToolFailure } from './errors.js';
import { countTables, countUserObjects, installedExtensions, referencedRoles } from './queries.js';
import { restoreChecks } from './restore-checks.js';
import { runRestore } from './restore.js';
import { checkArchive } from './structure.js';
import { fitTool, majorOf, toolVersion } from './tools.js';

/** The PostgreSQL engine. */
export class PostgresEngine implements DumpEngine {
  readonly type = 'postgres' as const;
  readonly dumpFormat = 'pg-custom';
  readonly extension = 'pgdump';
  readonly #deps: EngineDeps;
  #server: ServerInfo | undefined;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  get #maintenanceDb(): string {
    return this.#deps.connection.database ?? 'postgres';
  }

  async probeServer(): Promise<ServerInfo> {
    if (this.#server !== undefined) return this.#server;
    const rows = await this.#query<{ v: string; n: string }>(
      this.#maintenanceDb,
      `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`,
    );
    const version = (rows[0]?.v ?? '0').split(' ')[0] ?? '0';
    const num = Number(rows[0]?.n ?? 0);
    const { connection } = this.#deps;
    const host = `${effectiveHost(connection) ?? '/var/run/postgresql'}:${connection.port ?? 5432}`;
    this.#server = {
      flavour: 'postgresql',
      version,
      major: num >= 100000 ? Math.floor(num / 10000) : majorOf(version),
      host,
    };
    return this.#server;
  }

  async checkTools(server: ServerInfo): Promise<ToolInfo[]> {
    const { spawn, env } = this.#deps;
    const names = ['pg_dump', 'pg_restore', 'psql'];
    const versions = await Promise.all(names.map((name) => toolVersion(spawn, env, name)));
    return names.map((name, i) => fitTool(name, versions[i] ?? null, server));
  }

  async listDatabases(): Promise<DatabaseInfo[]> {
    const rows = await this.#query<{ name: string; size: string | null }>(
      this.#maintenanceDb,
      `SELECT datname AS name,
              CASE WHEN has_database_privilege(oid, 'CONNECT')
                   THEN pg_database_size(oid)::text END AS size
       FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname`,
    );
    return rows.map((r) => ({ name: r.name, sizeBytes: Number(r.size ?? 0) }));
  }

  async findDatabase(name: string): Promise<DatabaseInfo | undefined> {
    const all = await this.listDatabases();
    return all.find((db) => db.name === name);
  }

  async countObjects(name: string): Promise<number> {
    return this.#withClient(name, (client) => countUserObjects(client));
  }

  async startDump(database: string): Promise<DumpRun> {
    const server = await this.probeServer();
    const tools = await this.checkTools(server);
    const pgDump = tools.find((t) => t.name === 'pg_dump');
    assertFits(pgDump);

    // The snapshot stays exported while this transaction is open: pg_dump reads the same data
    // the counts below see, so the fingerprint is exact.
    const client = await connectClient(this.#deps.connection, database);
    let snapshot: string;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query('SET row_security = off');
      const result = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      snapshot = result.rows[0]?.id ?? '';
    } catch (error) {
      await client.end().catch(() => undefined);
      throw classifyDriverError(`unable to start a snapshot of '${database}'`, error);
    }

    const { connection, spawn, env } = this.#deps;
    const args = [
      '--format=custom',
      '--compress=0',
      `--snapshot=${snapshot}`,
      '--no-password',
      ...connectionArgs(connection),
      `--dbname=${dbnameConninfo(database)}`,
    ];
    const run = startTool({
      spawn,
      tool: 'pg_dump',
      args,
      env: childEnv(connection, env),
      classify: classifyToolFailure,
    });

    // Counting after pg_dump has finished keeps its error first; the transaction still holds
    // the same snapshot, so the counts are those of the dumped data.
    const facts = (async () => {
      try {
        await run.done;
        const tables = await countTables(client);
        const roles = await referencedRoles(client);
        const extensions = await installedExtensions(client);
        await client.query('COMMIT');
        return {
          tool: { name: 'pg_dump', version: pgDump?.version ?? 'unknown' },
          tables,
          counts: 'same-snapshot' as const,
          roles,
          extensions,
        };
      } catch (error) {
        if (error instanceof UserError) throw error;
        throw classifyDriverError(`unable to fingerprint '${database}'`, error);
      } finally {
        await client.end().catch(() => undefined);
      }
    })();
    facts.catch(() => undefined);

    const stream = run.child.stdout as Readable;
    return { stream, done: facts, cancel: () => run.child.kill('SIGTERM') };
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
    await runRestore({ ...this.#deps, ...options });
  }

  isRestoreAtomic(jobs: number): boolean {
    return jobs <= 1;
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

  async #withClient<T>(database: string, work: (client: PgClient) => Promise<T>): Promise<T> {
    const client = await connectClient(this.#deps.connection, database);
    try {
      return await work(client);
    } catch (error) {
      throw classifyDriverError(`query on '${database}' failed`, error);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async #query<T extends object>(database: string, sql: string, params: unknown[] = []) {
    return this.#withClient(database, async (client) => (await client.query<T>(sql, params)).rows);
  }
}

function assertFits(tool: ToolInfo | undefined): void {
  if (tool?.fits === true) return;
  const name = tool?.name ?? 'pg_dump';
  throw new UserError(`${name} cannot back up this server: ${tool?.note ?? 'not found'}`, {
    code: ExitCode.config,
    hint: 'Install the PostgreSQL client tools of the server version or newer.',
  });
}
