// Cluster backup of a whole throwaway server, restored into a freshly initialised one.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetManifest } from '../../src/manifest/set-manifest.js';
import { cli, tempDir } from '../helpers/pg-case.js';
import {
  caseSetup,
  cliOn,
  databaseFactsOf,
  hashesOf,
  membershipsOf,
  query,
  rolesOf,
  sakilaFiles,
  schemaOf,
  seedDb,
  userDatabases,
} from '../helpers/pg-cluster.js';
import { startPgInstance, type PgInstance } from '../helpers/pg-instance.js';
import { jsonResult, type CliResult } from '../helpers/run-cli.js';

const caseNames = ['Sales Q1', "Ops'Data", 'MixedCase', 'données-été', 'semi;colon', 'north/south'];
const databases = [...caseNames, 'roles_db', 'owners_db', 'empty_db', 'sakila', 'postgres'];

let source: PgInstance;
let target: PgInstance;
let backupDir: string;
let setPath: string;
let backup: CliResult;
let restore: CliResult;

async function seed(instance: PgInstance): Promise<void> {
  // Sakila's dump names the owner `postgres`; initdb made only `root`.
  await query(instance, 'postgres', 'CREATE ROLE postgres SUPERUSER');
  await instance.psql('postgres', { file: await caseSetup('001') });
  await seedDb(instance, 'roles_db', [await caseSetup('005')]);
  await seedDb(instance, 'owners_db', [await caseSetup('003')]);
  await seedDb(instance, 'empty_db', [await caseSetup('021')]);
  await seedDb(instance, 'sakila', sakilaFiles());
  await instance.psql('postgres', {
    sql: [
      "ALTER DATABASE sakila SET work_mem = '8MB'",
      'ALTER DATABASE "Sales Q1" SET search_path = reporting, public',
      "ALTER ROLE bkc_login IN DATABASE roles_db SET statement_timeout = '5s'",
      "COMMENT ON DATABASE owners_db IS 'owned by bkc_owner'",
      'ALTER DATABASE owners_db OWNER TO bkc_owner',
      'REVOKE TEMPORARY ON DATABASE owners_db FROM PUBLIC',
      'GRANT CONNECT ON DATABASE roles_db TO bkc_group',
      'CREATE TABLE public.kept_in_postgres AS SELECT g AS id FROM generate_series(1, 5) g',
    ].join(';\n'),
  });
}

beforeAll(async () => {
  [source, target] = await Promise.all([startPgInstance(), startPgInstance()]);
  await seed(source);
  backupDir = await tempDir();
  backup = await cliOn(source, [
    'backup',
    'cluster',
    '--backup-dir',
    backupDir,
    '--jobs',
    '2',
    '--json',
  ]);
  if (backup.code !== 0) throw new Error(`backup cluster failed:\n${backup.stderr}`);
  setPath = String(jsonResult(backup).set);
  restore = await cliOn(target, [
    'restore',
    'cluster',
    setPath,
    '--backup-dir',
    backupDir,
    '--jobs',
    '2',
    '--confirm',
  ]);
  if (restore.code !== 0) throw new Error(`restore cluster failed:\n${restore.stderr}`);
}, 600_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  if (backupDir !== undefined) await fs.rm(backupDir, { recursive: true, force: true });
});

describe('backup cluster', () => {
  it('writes a complete set with every database, the globals and the set manifest', async () => {
    const manifest = JSON.parse(
      await fs.readFile(join(setPath, 'set.manifest.json'), 'utf8'),
    ) as SetManifest;
    expect(manifest.status).toBe('complete');
    expect(manifest.globals.status).toBe('complete');
    expect(manifest.members.map((m) => m.database).sort()).toEqual([...databases].sort());
    for (const member of [manifest.globals, ...manifest.members]) {
      if (member.status !== 'complete') throw new Error(`member failed: ${member.database}`);
      const stat = await fs.stat(join(setPath, member.file));
      expect(stat.size).toBe(member.sizes.stored);
      expect((stat.mode & 0o777).toString(8)).toBe('600');
    }
  });

  it('keeps every file inside the set directory, whatever the database name', async () => {
    const entries = await fs.readdir(setPath, { withFileTypes: true });
    expect(entries.filter((e) => !e.isFile())).toEqual([]);
    expect(entries.some((e) => e.name.startsWith('north%2Fsouth_'))).toBe(true);
  });

  it('reports per-database and set progress as JSON events', () => {
    const events = backup.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; kind?: string; done?: number });
    const members = events.filter((e) => e.kind === 'member');
    expect(members.length).toBeGreaterThanOrEqual(2 * (databases.length + 1));
    const set = events.filter((e) => e.kind === 'set-progress');
    expect(set.at(-1)).toMatchObject({ done: databases.length, total: databases.length });
  });

  it('lists the set and its members in list backups', async () => {
    const listed = await cli(['list', 'backups', '--backup-dir', backupDir]);
    expect(listed.stdout).toContain('(cluster: 11 database(s))');
    expect(listed.stdout).toContain('north/south');
    expect(listed.stdout).toContain('(globals)');
  });
});

describe('restore cluster into a fresh server', () => {
  it('recreates all six case 001 names and the other databases exactly', async () => {
    const names = await userDatabases(target);
    for (const name of databases) expect(names).toContain(name);
    for (const name of caseNames) {
      const [row] = await query<{ n: string; labels: string }>(
        target,
        name,
        "SELECT count(*)::text AS n, string_agg(label, ',' ORDER BY id) AS labels FROM t",
      );
      expect(row).toEqual({ n: '3', labels: 'alpha,beta,gamma' });
    }
  });

  it('gives every database the same schema and the same rows', async () => {
    for (const name of databases) {
      expect(await schemaOf(target, name), name).toBe(await schemaOf(source, name));
      expect(await hashesOf(target, name), name).toEqual(await hashesOf(source, name));
    }
  });

  it('restores roles with attributes, settings and password hashes, and memberships', async () => {
    expect(await rolesOf(target)).toEqual(await rolesOf(source));
    expect(await membershipsOf(target)).toEqual(await membershipsOf(source));
  });

  it('restores database owners, grants, comments and ALTER DATABASE / ROLE IN DATABASE settings', async () => {
    expect(await databaseFactsOf(target, databases)).toEqual(
      await databaseFactsOf(source, databases),
    );
  });

  it('passes the checks of case 005', async () => {
    const [login] = await query(
      target,
      'postgres',
      `SELECT rolcanlogin, rolcreatedb, rolconnlimit, rolvaliduntil::text AS until,
              pg_has_role('bkc_login', 'bkc_group', 'MEMBER') AS member, rolconfig
       FROM pg_roles WHERE rolname = 'bkc_login'`,
    );
    expect(login).toMatchObject({
      rolcanlogin: true,
      rolcreatedb: true,
      rolconnlimit: 7,
      until: '2099-12-31 00:00:00+00',
      member: true,
    });
    expect(login?.rolconfig).toEqual(
      expect.arrayContaining(['search_path=reporting, public', 'lock_timeout=3s']),
    );
    const hash = "SELECT rolpassword FROM pg_authid WHERE rolname = 'bkc_login'";
    const [restored] = await query(target, 'postgres', hash);
    expect(restored?.rolpassword).toMatch(/^SCRAM-SHA-256\$/);
    expect(restored).toEqual((await query(source, 'postgres', hash))[0]);
  });

  it('passes the checks of case 003', async () => {
    const [row] = await query(
      target,
      'owners_db',
      `SELECT (SELECT tableowner FROM pg_tables WHERE schemaname = 'app' AND tablename = 'items')
                AS owner,
              has_table_privilege('bkc_reader', 'app.items', 'SELECT') AS reader,
              app.item_count()::int AS count,
              (SELECT count(*)::int FROM pg_default_acl
                WHERE defaclacl::text LIKE '%bkc_reader=r/bkc_owner%') AS defaults`,
    );
    expect(row).toEqual({ owner: 'bkc_owner', reader: true, count: 3, defaults: 1 });
  });

  it('passes the checks of case 021: an empty database is a success, not a failed dump', async () => {
    const set = JSON.parse(
      await fs.readFile(join(setPath, 'set.manifest.json'), 'utf8'),
    ) as SetManifest;
    expect(set.members.find((m) => m.database === 'empty_db')?.status).toBe('complete');
    const [row] = await query(
      target,
      'empty_db',
      "SELECT obj_description('reserved'::regnamespace, 'pg_namespace') AS comment",
    );
    expect(row).toEqual({ comment: 'kept for later use' });
  });

  it('keeps the bootstrap superuser that existed and says so', () => {
    expect(restore.stderr).toMatch(/kept and altered what already existed: .*role 'root'/);
  });
});
