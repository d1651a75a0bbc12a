// Case 017: a source that breaks its own foreign key; every restore error must fail the restore.
import * as fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupWithCli,
  cli,
  databaseNames,
  dropDbs,
  loadCase,
  psqlRows,
  tempDir,
  userErrorShape,
  type BackupMade,
} from '../helpers/pg-case.js';
import { createDb, uniqueName } from '../helpers/pg.js';

const source = uniqueName('dbb_c017');
const targets: string[] = [];
let backupDir: string;
let made: BackupMade;

beforeAll(async () => {
  backupDir = await tempDir();
  await loadCase('017', source);
  made = await backupWithCli(source, backupDir);
});

afterAll(async () => {
  await dropDbs(source, ...targets);
  await fs.rm(backupDir, { recursive: true, force: true });
});

function newTarget(): string {
  const name = uniqueName('dbb_c017_r');
  targets.push(name);
  return name;
}

function restore(target: string, extra: string[] = []) {
  return cli(['restore', 'single', made.file, '--target', target, '--confirm', ...extra], {
    env: { DBBACKUP_WORKDIR: backupDir },
  });
}

describe('case 017: restore errors fail the restore', () => {
  it('holds the orphan row in the source (the optional early check)', async () => {
    const orphans =
      'SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id=o.customer_id WHERE c.id IS NULL';
    expect(await psqlRows(source, orphans)).toEqual(['1']);
  });

  it('fails the default one-transaction restore, names the constraint, says nothing changed', async () => {
    const target = newTarget();
    const result = await restore(target, ['--create']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('orders_customer_id_fkey');
    expect(result.stderr).toMatch(/nothing was changed/);
    expect(result.stdout).not.toMatch(/complete|match the backup/);
    expect(userErrorShape(result.stderr)).toMatchObject({ stack: false });
    expect(await databaseNames()).not.toContain(target);
  });

  it('leaves an existing empty target empty after the one-transaction restore fails', async () => {
    const target = newTarget();
    await createDb(target);
    const result = await restore(target);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/nothing was changed/);
    const tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    expect(await psqlRows(target, tables)).toEqual(['0']);
  });

  it('with --jobs 2 fails and lists the rows that loaded (orders 3, customers 2)', async () => {
    const target = newTarget();
    const result = await restore(target, ['--create', '--jobs', '2']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('orders_customer_id_fkey');
    expect(result.stderr).toMatch(/public\.orders 3 rows/);
    expect(result.stderr).toMatch(/public\.customers 2 rows/);
    expect(result.stdout).not.toMatch(/complete|match the backup/);
    const left = (await fs.readdir(backupDir)).filter((n) => n.startsWith('.dbbackup-tmp-'));
    expect(left).toEqual([]);
  });
});
