// Case 001: database names with a space, a quote, upper case, non-ASCII, `;` and `/`.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupWithCli,
  caseDir,
  cli,
  databaseNames,
  dropDbs,
  listDir,
  psqlRows,
  tempDir,
  type BackupMade,
} from '../helpers/pg-case.js';
import { psqlFile } from '../helpers/pg.js';
import { jsonResult } from '../helpers/run-cli.js';

// The names setup.sql creates; it runs verbatim, so these are fixed, not unique.
const names = ['Sales Q1', "Ops'Data", 'MixedCase', 'données-été', 'semi;colon', 'north/south'];
const backups = new Map<string, BackupMade>();
let backupDir: string;

beforeAll(async () => {
  await dropDbs(...names);
  await psqlFile('postgres', join(await caseDir('001'), 'setup.sql'));
  backupDir = await tempDir();
  for (const name of names) backups.set(name, await backupWithCli(name, backupDir));
});

afterAll(async () => {
  await dropDbs(...names);
  await fs.rm(backupDir, { recursive: true, force: true });
});

describe('case 001: database names that need quoting', () => {
  it.each(names)('restores %j under its exact name after it was dropped', async (name) => {
    const made = backups.get(name)!;
    expect(made.manifest.database).toBe(name);
    await dropDbs(name);
    expect(await databaseNames()).not.toContain(name);

    const restored = await cli(['restore', 'single', made.file, '--create', '--confirm']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await databaseNames()).toContain(name);
    expect(
      await psqlRows(name, "SELECT count(*), string_agg(label, ',' ORDER BY id) FROM t"),
    ).toEqual(['3|alpha,beta,gamma']);
  });

  it('keeps every backup file directly inside the backup directory', async () => {
    const entries = await listDir(backupDir);
    expect(entries.filter((e) => e.endsWith('/'))).toEqual([]);
    expect(entries).toHaveLength(names.length * 2);
    for (const made of backups.values()) {
      expect(join(backupDir, made.file.slice(backupDir.length + 1))).toBe(made.file);
      expect(made.file.slice(backupDir.length + 1)).toMatch(/^[A-Za-z0-9_%.-]+$/);
    }
    expect(backups.get('north/south')!.file).toContain('north%2Fsouth_');
  });

  it('shows each name exactly in the listing and the manifests', async () => {
    const listed = await cli(['list', 'backups', '--backup-dir', backupDir, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const shown = (jsonResult(listed).backups as { database: string }[]).map((b) => b.database);
    expect(shown.sort()).toEqual([...names].sort());

    const text = await cli(['list', 'backups', '--backup-dir', backupDir]);
    for (const name of names) expect(text.stdout).toContain(name);
  });

  // The cluster check of this case runs on a throwaway server in pg-cluster.test.ts.
});
