// Cluster sets on a throwaway server: encrypted members (globals too), verify of a whole set and
// of one member, and the catalog, health and cleanup over complete, incomplete and unfinished sets.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/manifest/manifest.js';
import type { SetManifest } from '../../src/manifest/set-manifest.js';
import { cli, tempDir } from '../helpers/pg-case.js';
import { cliOn, query, seedDb } from '../helpers/pg-cluster.js';
import { startPgInstance, type PgInstance } from '../helpers/pg-instance.js';
import { jsonResult, type CliResult } from '../helpers/run-cli.js';

const run = promisify(execFile);

let source: PgInstance;
let dir: string;
let backupDir: string;
let identity: string;
let recipient: string;
/** The sets in the order they were taken: encrypted complete, incomplete, complete, incomplete. */
const sets: string[] = [];
const runs: CliResult[] = [];

type Row = Record<string, unknown>;

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await fs.readFile(path, 'utf8')) as T;
}

async function backupCluster(args: string[]): Promise<CliResult> {
  const result = await cliOn(source, ['backup', 'cluster', '--backup-dir', backupDir, ...args]);
  runs.push(result);
  const set = /cluster backup \w+: (\S+)/.exec(result.stdout)?.[1];
  if (set !== undefined) sets.push(set);
  return result;
}

async function catalogRows(args: string[] = []): Promise<Row[]> {
  const listed = await cli(['catalog', 'list', '--backup-dir', backupDir, '--json', ...args]);
  expect(listed.code).toBe(0);
  return jsonResult(listed).backups as Row[];
}

function setName(path: string | undefined): string {
  return (path ?? '').split('/').at(-1) ?? '';
}

async function setDirs(): Promise<string[]> {
  return (await fs.readdir(backupDir)).filter((n) => n.startsWith('cluster_')).sort();
}

beforeAll(async () => {
  source = await startPgInstance();
  await query(source, 'postgres', 'CREATE ROLE bkc_backup LOGIN');
  await query(source, 'postgres', "CREATE ROLE bkc_secret LOGIN PASSWORD 'Neutral-Passw0rd'");
  for (const [name, rows] of [
    ['alpha', 1000],
    ['beta', 250],
    ['locked', 10],
  ] as const) {
    await seedDb(source, name);
    await query(
      source,
      name,
      `CREATE TABLE t AS SELECT g AS id FROM generate_series(1, ${rows}) g`,
    );
    await query(source, name, 'GRANT SELECT ON t TO bkc_backup');
  }
  // bkc_backup may not connect to 'locked': its sets are incomplete.
  await query(source, 'postgres', 'REVOKE CONNECT ON DATABASE locked FROM PUBLIC');

  dir = await tempDir();
  backupDir = join(dir, 'backups');
  identity = join(dir, 'key.txt');
  const generated = await cli(['key', 'generate', '--output', identity, '--json']);
  if (generated.code !== 0) throw new Error(generated.stderr);
  recipient = String(jsonResult(generated).recipient);

  await backupCluster(['--encrypt', '--recipient', recipient, '--jobs', '2']);
  await backupCluster(['--user', 'bkc_backup']);
  await backupCluster([]);
  await backupCluster(['--user', 'bkc_backup']);
  // A run that never reaches the server leaves no set, only a failed attempt.
  const unreachable = await cli([
    ...['backup', 'cluster', '--backup-dir', backupDir],
    ...['--socket', source.socketDir, '--port', '1'],
  ]);
  runs.push(unreachable);
}, 300_000);

afterAll(async () => {
  await source?.stop();
  if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
});

describe('backup cluster runs', () => {
  it('end as planned: complete, incomplete (77), complete, incomplete, unreachable', () => {
    expect(runs.map((r) => r.code)).toEqual([0, 77, 0, 77, 69]);
    expect(sets).toHaveLength(4);
  });
});

describe('an encrypted set', () => {
  it('encrypts every member to the recipient, the globals with their password hashes too', async () => {
    const path = sets[0] ?? '';
    const set = await readJson<SetManifest>(join(path, 'set.manifest.json'));
    const members = [set.globals, ...set.members];
    expect(members.length).toBeGreaterThanOrEqual(5);
    for (const member of members) {
      if (member.status !== 'complete') throw new Error('member failed');
      expect(member.file).toMatch(/\.age$/);
      const manifest = await readJson<Manifest>(join(path, member.manifestFile));
      expect(manifest.encryption?.recipients.map((r) => r.recipient)).toEqual([recipient]);
      const head = await fs.readFile(join(path, member.file));
      expect(head.subarray(0, 21).toString('latin1')).toBe('age-encryption.org/v1');
      expect(head.includes('bkc_secret')).toBe(false);
    }
  });

  it('decrypts with stock age and zstd into the globals script', async () => {
    const path = sets[0] ?? '';
    const set = await readJson<SetManifest>(join(path, 'set.manifest.json'));
    if (set.globals.status !== 'complete') throw new Error('globals failed');
    const file = join(path, set.globals.file);
    const unpack = file.includes('.zst') ? ' | zstd -dc' : '';
    const { stdout } = await run('bash', [
      ...['-o', 'pipefail', '-c', `age -d -i "$1" "$2"${unpack}`],
      ...['sh', identity, file],
    ]);
    expect(stdout).toMatch(/CREATE ROLE bkc_secret/);
    expect(stdout).toMatch(/SCRAM-SHA-256\$/);
  });

  it('verifies without the key, saying it checked only size and checksum', async () => {
    const result = await cliOn(source, ['verify', sets[0] ?? '', '--backup-dir', backupDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok globals: size and checksum only/);
    expect(result.stdout).toMatch(/ok 'alpha': size and checksum only/);
    expect(result.stdout).toMatch(/not checked: decryption, decompression and the dump structure/);
    expect(result.stdout).toContain(recipient);
  });

  it('with the wrong key fails 77 per member and does not call the files damaged', async () => {
    const wrong = join(await tempDir(), 'wrong.txt');
    const generated = await cli(['key', 'generate', '--output', wrong, '--json']);
    expect(generated.code, generated.stderr).toBe(0);
    const result = await cliOn(source, [
      ...['verify', sets[0] ?? '', '--backup-dir', backupDir, '--identity', wrong],
    ]);
    expect(result.code).toBe(77);
    expect(result.stderr).toMatch(/^hint: No file was found damaged/m);
    await fs.rm(dirname(wrong), { recursive: true, force: true });
  });

  it('deep-verifies one member with --database and the key, and only that one', async () => {
    const result = await cliOn(source, [
      ...['verify', sets[0] ?? '', '--backup-dir', backupDir, '--deep'],
      ...['--database', 'alpha', '--identity', identity, '--json'],
    ]);
    expect(result.code).toBe(0);
    const members = jsonResult(result).members as Row[];
    expect(members.map((m) => m.database)).toEqual(['alpha']);
    const deep = members[0]?.deep as { tables: Row[] };
    expect(deep.tables).toEqual([{ table: 'public.t', expected: 1000, restored: 1000, ok: true }]);
  });

  it('restores into a fresh server only with the key', async () => {
    const target = await startPgInstance();
    try {
      const args = ['restore', 'cluster', sets[0] ?? '', '--backup-dir', backupDir, '--confirm'];
      const without = await cliOn(target, args);
      expect(without.code).toBe(77);
      expect(without.stderr).toContain(recipient);

      const restored = await cliOn(target, [...args, '--identity', identity]);
      expect(restored.code).toBe(0);
      const rows = await query<{ n: string }>(target, 'beta', 'SELECT count(*) AS n FROM t');
      expect(rows[0]?.n).toBe('250');
      const roles = await query(
        target,
        'postgres',
        "SELECT 1 FROM pg_roles WHERE rolname = 'bkc_secret'",
      );
      expect(roles).toHaveLength(1);
    } finally {
      await target.stop();
    }
  }, 120_000);
});

describe('verify of a whole set', () => {
  it('reads the globals and restores every database of an unencrypted set with --deep', async () => {
    const result = await cliOn(source, [
      ...['verify', sets[2] ?? '', '--backup-dir', backupDir, '--deep', '--json'],
    ]);
    expect(result.code).toBe(0);
    const members = jsonResult(result).members as Row[];
    expect(members.map((m) => m.database).sort()).toEqual(
      [null, 'alpha', 'beta', 'locked', 'postgres'].sort(),
    );
    expect(members.every((m) => m.ok === true)).toBe(true);
    const deepOnes = members.filter((m) => m.deep !== null).map((m) => m.database);
    expect(deepOnes.sort()).toEqual(['alpha', 'beta', 'locked', 'postgres']);
  });

  it('restores every database into one temporary instance with --instance temp', async () => {
    const result = await cliOn(source, [
      ...['verify', sets[2] ?? '', '--backup-dir', backupDir, '--deep', '--instance', 'temp'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const restored = result.stdout.match(
      /restored into throwaway '[^']+' on temporary PostgreSQL/g,
    );
    expect(restored).toHaveLength(4);
    expect(new Set(result.stdout.match(/127\.0\.0\.1:\d+/g))).toHaveProperty('size', 1);
  });

  it('fails with 65 on an incomplete set, naming the member that failed at backup', async () => {
    const result = await cliOn(source, ['verify', sets[1] ?? '', '--backup-dir', backupDir]);
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/'locked': failed at backup: .*permission denied/);
    expect(result.stdout).toMatch(/ok 'alpha': intact/);
  });
});

describe('the catalog', () => {
  it('records runs on members in the backup directory, never a catalog inside a set', async () => {
    const restored = await cliOn(source, [
      ...['restore', 'single', sets[2] ?? '', '--database', 'beta', '--backup-dir', backupDir],
      ...['--target', 'beta_copy', '--create', '--confirm'],
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    for (const path of sets) {
      expect((await fs.readdir(path)).filter((f) => f.startsWith('.dbbackup-'))).toEqual([]);
    }
    const rows = await catalogRows(['--database', 'beta']);
    const member = rows.find((r) => r.setId === setName(sets[2]));
    const info = await cli([
      ...['catalog', 'info', `${setName(sets[2])}/${String(member?.file).split('/')[1]}`],
      ...['--backup-dir', backupDir, '--json'],
    ]);
    const runs = jsonResult(info).runs as Row[];
    expect(runs.find((r) => r.action === 'restore')).toMatchObject({
      ok: true,
      target: 'beta_copy',
      file: member?.file,
    });
  });

  it('holds every run as it happened, sets with their members, and the failed attempt', async () => {
    const rows = await catalogRows();
    const setRows = rows.filter((r) => r.kind === 'cluster' && r.file !== null);
    expect(setRows.map((r) => r.id).sort()).toEqual(sets.map(setName).sort());
    const status = (path: string | undefined) =>
      setRows.find((r) => r.id === setName(path))?.status;
    expect(sets.map(status)).toEqual(['complete', 'incomplete', 'complete', 'incomplete']);

    const attempt = rows.filter((r) => r.kind === 'cluster' && r.file === null);
    expect(attempt).toHaveLength(1);
    expect(attempt[0]).toMatchObject({ status: 'failed', errorCode: 69 });

    const alpha = rows.filter((r) => r.database === 'alpha');
    expect(alpha).toHaveLength(4);
    expect(alpha.every((r) => r.kind === 'cluster-member' && r.status === 'complete')).toBe(true);
    const locked = rows.filter((r) => r.database === 'locked').map((r) => r.status);
    expect(locked.sort()).toEqual(['complete', 'complete', 'failed', 'failed']);
  });

  it('records verify and restore runs against member files; a set is deep when all are', async () => {
    const rows = await catalogRows();
    const third = rows.find((r) => r.id === setName(sets[2]));
    expect(third?.verification).toMatchObject({ checksum: true, deep: true, corrupt: false });
    // The encrypted set: verified without the key (quick), then restored whole (deep).
    const first = rows.find((r) => r.id === setName(sets[0]));
    expect(first?.verification).toMatchObject({ checksum: true, deep: true });

    const info = await cli(['catalog', 'info', sets[0] ?? '', '--backup-dir', backupDir, '--json']);
    const found = (jsonResult(info).runs as Row[]).map((r) =>
      [r.action, r.depth, r.ok].map(String).join(' '),
    );
    expect(found.filter((r) => r === 'verify quick true')).toHaveLength(5);
    expect(found).toContain('verify restore true');
    expect(found.filter((r) => r === 'restore restore true')).toHaveLength(4);
  });

  it('shows an incomplete set with its members and the reason', async () => {
    const info = await cli(['catalog', 'info', sets[1] ?? '', '--backup-dir', backupDir]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/status\s+incomplete: 'locked' failed: .*permission denied/);
    expect(info.stdout).toMatch(/member alpha: complete, verified deep/);
    expect(info.stdout).toMatch(/member locked: failed: .*permission denied/);
  });

  it('finds encrypted sets by search, and counts each server of sets in stats', async () => {
    const search = await cli([
      ...['catalog', 'search', '--backup-dir', backupDir, '--encrypted', 'yes', '--json'],
    ]);
    const found = jsonResult(search).backups as Row[];
    expect(new Set(found.map((r) => r.setId))).toEqual(new Set([setName(sets[0])]));
    expect(found.length).toBeGreaterThanOrEqual(6);

    const stats = await cli(['catalog', 'stats', '--backup-dir', backupDir, '--json']);
    const databases = jsonResult(stats).databases as Row[];
    const server = databases.find((d) => String(d.database).startsWith('(cluster '));
    // Two incomplete sets, and the run that never reached a server (counted with the only one).
    expect(server).toMatchObject({ backups: 2, failed: 3 });
    expect(databases.find((d) => d.database === 'alpha')).toMatchObject({ backups: 4 });
  });

  it('is rebuilt by catalog sync to the same rows', async () => {
    const before = await catalogRows();
    await fs.rm(join(backupDir, '.dbbackup-catalog.sqlite'));
    const synced = await cli(['catalog', 'sync', backupDir]);
    expect(synced.code).toBe(0);
    const after = await catalogRows();
    const byId = (a: Row, b: Row) => String(a.id).localeCompare(String(b.id));
    expect(after.sort(byId)).toEqual(before.sort(byId));
  });
});

describe('health', () => {
  it('covers each member database, the globals and the server of the sets', async () => {
    const result = await cli(['health', '--backup-dir', backupDir, '--json']);
    const report = jsonResult(result) as { databases: Row[] };
    const names = report.databases.map((d) => String(d.database));
    for (const name of ['alpha', 'beta', 'locked', 'postgres']) expect(names).toContain(name);
    expect(names.some((n) => n.startsWith('(cluster '))).toBe(true);
    expect(names.some((n) => n.startsWith('(globals '))).toBe(true);
    const alpha = report.databases.find((d) => d.database === 'alpha');
    expect(alpha).toMatchObject({ level: 'ok', deepVerified: false });
    // 'locked' failed in the newest set after its last good dump.
    const locked = report.databases.find((d) => d.database === 'locked');
    expect(locked?.level).toBe('warning');
  });
});

describe('cleanup of sets', () => {
  it('plans per server: the incomplete older set and the oldest go, the resumable newest stays', async () => {
    const dry = await cli([
      ...['cleanup', '--backup-dir', backupDir, '--keep-last', '1', '--dry-run', '--json'],
    ]);
    expect(dry.code).toBe(0);
    const decisions = (jsonResult(dry).decisions as Row[]).filter((d) => d.file !== null);
    const action = (path: string | undefined) =>
      decisions.find((d) => d.id === setName(path))?.action;
    expect(sets.map(action)).toEqual(['delete', 'delete', 'keep', 'keep']);
    const newest = decisions.find((d) => d.id === setName(sets[3]));
    expect(newest?.reasons).toContain('newest set of its server: --resume continues it');
    expect(await setDirs()).toHaveLength(4);
  });

  it('deletes those sets whole and the catalog forgets them and their members', async () => {
    const result = await cli(['cleanup', '--backup-dir', backupDir, '--keep-last', '1']);
    expect(result.code).toBe(0);
    expect(await setDirs()).toEqual([setName(sets[2]), setName(sets[3])].sort());
    const rows = await catalogRows();
    const setIds = new Set(rows.map((r) => r.setId).filter((id) => id !== null));
    expect(setIds).toEqual(new Set([setName(sets[2]), setName(sets[3])]));
  });

  it('after --resume completes the newest set, --cleanup deletes the older one', async () => {
    const resumed = await backupCluster(['--resume', '--cleanup', '--keep-last', '1']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/cleanup \(keep-last 1\): deleted 1, kept \d+ of the sets of/);
    expect(await setDirs()).toEqual([setName(sets[3])]);
    const set = await readJson<SetManifest>(join(sets[3] ?? '', 'set.manifest.json'));
    expect(set).toMatchObject({ status: 'complete', runs: 2 });
    const rows = await catalogRows();
    expect(rows.find((r) => r.id === setName(sets[3]))?.status).toBe('complete');
  }, 120_000);
});
