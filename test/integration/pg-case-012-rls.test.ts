// Case 012: FORCE row-level security, a restrictive policy and RLS on a partitioned table.
import * as fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupWithCli,
  cli,
  dropDbs,
  dropRoles,
  listDir,
  loadCase,
  psqlRows,
  restoreWithCli,
  tempDir,
  userErrorShape,
} from '../helpers/pg-case.js';
import { uniqueName } from '../helpers/pg.js';

const source = uniqueName('dbb_c012');
const target = uniqueName('dbb_c012_r');
let backupDir: string;

beforeAll(async () => {
  backupDir = await tempDir();
  await loadCase('012', source);
});

afterAll(async () => {
  await dropDbs(source, target);
  await dropRoles('bkc_rls_owner');
  await fs.rm(backupDir, { recursive: true, force: true });
});

describe('case 012: row-level security', () => {
  it('fails as the table owner bkc_rls_owner with a clear message and leaves no file', async () => {
    const result = await cli([
      'backup',
      'single',
      source,
      '--backup-dir',
      backupDir,
      '--user',
      'bkc_rls_owner',
    ]);
    expect(result.code).toBe(77);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/row-level security policy for table "notes"/);
    expect(shape.hint).toMatch(/superuser or a role with BYPASSRLS/);
    expect(shape.stack).toBe(false);
    expect(await listDir(backupDir)).toEqual([]);
  });

  it('backs up as superuser and restores every row, flag and policy', async () => {
    const made = await backupWithCli(source, backupDir);
    expect(made.manifest.fingerprint.tables).toContainEqual({
      schema: 'public',
      name: 'notes',
      rows: 4,
    });
    await restoreWithCli(made.file, target);

    const checks: [string, string[]][] = [
      ['SELECT count(*) FROM notes', ['4']],
      ["SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname='notes'", ['t|t']],
      [
        "SELECT polname, polpermissive FROM pg_policy WHERE polrelid='notes'::regclass ORDER BY 1",
        ['hide_archived|f', 'tenant_only|t'],
      ],
      ["SELECT relrowsecurity FROM pg_class WHERE relname='events'", ['t']],
      ["SELECT tableowner FROM pg_tables WHERE tablename='notes'", ['bkc_rls_owner']],
    ];
    for (const [sql, expected] of checks)
      expect(await psqlRows(target, sql), sql).toEqual(expected);
  });
});
