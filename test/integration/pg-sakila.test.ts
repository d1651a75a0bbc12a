// Sakila round trip against the local PostgreSQL: backup, verify, list and restore prove equality.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempPrefix } from '../../src/plan/backup-name.js';
import {
  backupWithCli,
  cli,
  dropDbs,
  restoreWithCli,
  sharedDir,
  tempDir,
  type BackupMade,
} from '../helpers/pg-case.js';
import { createDb, psqlFile, schemaDump, tableHashes, uniqueName } from '../helpers/pg.js';
import { jsonResult } from '../helpers/run-cli.js';

const source = uniqueName('dbb_sakila');
const targets: string[] = [];
let backupDir: string;
let sourceSchema: string;
let sourceHashes: Record<string, string>;
let zstdBackup: BackupMade;

beforeAll(async () => {
  const dataset = join(sharedDir, 'datasets', 'postgres-sakila');
  await createDb(source);
  await psqlFile(source, join(dataset, 'schema.sql'));
  await psqlFile(source, join(dataset, 'data.sql'));
  backupDir = await tempDir();
  sourceSchema = await schemaDump(source);
  sourceHashes = await tableHashes(source);
  zstdBackup = await backupWithCli(source, backupDir);
});

afterAll(async () => {
  await dropDbs(source, ...targets);
  await fs.rm(backupDir, { recursive: true, force: true });
});

async function expectSameAsSource(target: string): Promise<void> {
  expect(await schemaDump(target)).toBe(sourceSchema);
  expect(await tableHashes(target)).toEqual(sourceHashes);
}

function newTarget(): string {
  const name = uniqueName('dbb_sakila_r');
  targets.push(name);
  return name;
}

describe('sakila backup and restore', () => {
  it('loads a dataset worth testing', () => {
    expect(Object.keys(sourceHashes).length).toBeGreaterThan(15);
    expect(sourceHashes['public.rental']).toMatch(/^1604\d:/);
  });

  it('records every table with its exact row count in the manifest', () => {
    const { manifest } = zstdBackup;
    expect(manifest.database).toBe(source);
    // --compression auto (the default): zstd, reading pg_dump's output directly.
    expect(manifest.compression).toMatchObject({ algorithm: 'zstd', chosenBy: 'auto' });
    expect(manifest.compression.reason).toMatch(/^zstd level \d+ on \d+ worker thread\(s\) reads/);
    expect(manifest.fingerprint.counts).toBe('same-snapshot');
    const rental = manifest.fingerprint.tables.find((t) => t.name === 'rental');
    expect(rental?.rows).toBe(Number(sourceHashes['public.rental']?.split(':')[0]));
  });

  it('restores a zstd backup with the same schema and the same rows', async () => {
    const target = newTarget();
    const result = await restoreWithCli(zstdBackup.file, target);
    expect(result.stdout).toMatch(/row counts of \d+ table\(s\) match the backup/);
    await expectSameAsSource(target);
  });

  it('restores with --jobs 2 and leaves no staging file behind', async () => {
    const target = newTarget();
    const result = await restoreWithCli(zstdBackup.file, target, [
      '--jobs',
      '2',
      '--workdir',
      backupDir,
    ]);
    expect(result.stdout).toMatch(/row counts of \d+ table\(s\) match the backup/);
    await expectSameAsSource(target);
    const left = (await fs.readdir(backupDir)).filter((name) => name.startsWith(tempPrefix));
    expect(left).toEqual([]);
  });

  it.each(['gzip', 'none'])('round-trips a backup compressed with %s', async (algorithm) => {
    const made = await backupWithCli(source, backupDir, ['--compression', algorithm]);
    expect(made.manifest.compression.algorithm).toBe(algorithm);
    expect(made.file.endsWith(algorithm === 'gzip' ? '.pgdump.gz' : '.pgdump')).toBe(true);
    const target = newTarget();
    await restoreWithCli(made.file, target);
    await expectSameAsSource(target);
  });

  it('passes verify, the full one and --quick', async () => {
    const full = await cli(['verify', zstdBackup.file]);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toMatch(/is intact/);
    expect(full.stdout).toMatch(/dump structure complete/);

    const quick = await cli(['verify', zstdBackup.file, '--quick', '--json']);
    expect(quick.code, quick.stderr).toBe(0);
    expect(jsonResult(quick)).toMatchObject({ ok: true, structure: null });
  });

  it('lists the backup with its database, size and status', async () => {
    const listed = await cli(['list', 'backups', '--backup-dir', backupDir, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const backups = jsonResult(listed).backups as Record<string, unknown>[];
    const name = zstdBackup.file.slice(backupDir.length + 1);
    expect(backups).toContainEqual(
      expect.objectContaining({
        file: name,
        database: source,
        engine: 'postgres',
        status: 'complete',
        size: zstdBackup.manifest.sizes.stored,
      }),
    );
  });
});
