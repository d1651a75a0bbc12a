// Sakila round trip against the local MariaDB: backup, verify and restore prove equality.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/pg-case.js';
import {
  dropDbs,
  showCreateAll,
  showCreateDatabase,
  tableHashes,
  uniqueName,
} from '../helpers/mysql.js';
import {
  loadSakila,
  myBackup,
  myFlags,
  myRestoreOk,
  type MyBackup,
} from '../helpers/mysql-case.js';

const source = uniqueName('dbb_my_sakila');
const targets: string[] = [];
let backupDir: string;
let sourceSchema: Record<string, string>;
let sourceHashes: Record<string, string>;
let backup: MyBackup;

beforeAll(async () => {
  await loadSakila(source);
  backupDir = await tempDir();
  sourceSchema = await showCreateAll(source);
  sourceHashes = await tableHashes(source);
  backup = await myBackup(source, backupDir);
});

afterAll(async () => {
  await dropDbs(source, ...targets);
  await fs.rm(backupDir, { recursive: true, force: true });
});

function newTarget(): string {
  const name = uniqueName('dbb_my_sakila_r');
  targets.push(name);
  return name;
}

async function expectSameAsSource(target: string): Promise<void> {
  // Nothing is normalised: AUTO_INCREMENT counters come back as max(id)+1 both in the freshly
  // loaded source and in the restore, and SHOW CREATE names no database.
  expect(await showCreateAll(target)).toEqual(sourceSchema);
  expect(await showCreateDatabase(target)).toBe(await showCreateDatabase(source));
  expect(await tableHashes(target)).toEqual(sourceHashes);
}

describe('sakila backup and restore on MariaDB', () => {
  it('loads a dataset with every kind of object', () => {
    const kinds = Object.keys(sourceSchema).map((key) => key.split(' ')[0]);
    expect(new Set(kinds)).toEqual(new Set(['TABLE', 'VIEW', 'FUNCTION', 'PROCEDURE', 'TRIGGER']));
    expect(sourceHashes.rental).toMatch(/^16044:/);
  });

  it('records every table with its exact row count, counted in the dump itself', () => {
    const { manifest } = backup;
    expect(manifest.engine).toBe('mysql');
    expect(manifest.server.flavour).toBe('mariadb');
    expect(manifest.tool.name).toBe('mariadb-dump');
    expect(manifest.fingerprint.counts).toBe('same-snapshot');
    const counts = Object.fromEntries(manifest.fingerprint.tables.map((t) => [t.name, t.rows]));
    const expected = Object.fromEntries(
      Object.entries(sourceHashes).map(([name, h]) => [name, Number(h.split(':')[0])]),
    );
    expect(counts).toEqual(expected);
    expect(manifest.requires.roles).toEqual(['root@localhost']);
  });

  it('verifies the backup by reading the whole dump', async () => {
    const result = await cli(['verify', backup.file, ...myFlags]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/dump structure complete/);
  });

  it('restores under another name with the same schema, rows and contents', async () => {
    const target = newTarget();
    const result = await myRestoreOk(backup.file, target);
    expect(result.stdout).toMatch(/row counts of 16 table\(s\) match the backup/);
    await expectSameAsSource(target);
  });

  it('restores twice over the same database with --clean', async () => {
    const target = newTarget();
    await myRestoreOk(backup.file, target);
    await myRestoreOk(backup.file, target, ['--clean']);
    await expectSameAsSource(target);
  });

  it('refuses to restore over a database that is not empty without --clean', async () => {
    const target = newTarget();
    await myRestoreOk(backup.file, target);
    const result = await cli([
      'restore',
      'single',
      backup.file,
      '--target',
      target,
      '--confirm',
      ...myFlags,
    ]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/is not empty/);
  });

  it('fails verify with exit code 65 on a dump cut short, even with a matching checksum', async () => {
    const whole = execFileSync('zstd', ['-dc', backup.file], { maxBuffer: 64 << 20 });
    const cutDump = whole.subarray(0, whole.lastIndexOf('\nINSERT INTO'));
    const stored = execFileSync('zstd', ['-3', '-c'], { input: cutDump, maxBuffer: 64 << 20 });
    const file = join(backupDir, 'cut.sql.zst');
    await fs.writeFile(file, stored);
    const manifest = {
      ...backup.manifest,
      file: 'cut.sql.zst',
      sizes: { ...backup.manifest.sizes, dump: cutDump.length, stored: stored.length },
      checksum: { algorithm: 'sha256', value: createHash('sha256').update(stored).digest('hex') },
    };
    await fs.writeFile(`${file}.manifest.json`, JSON.stringify(manifest));
    const result = await cli(['verify', file, ...myFlags]);
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/truncated/);
  });
});
