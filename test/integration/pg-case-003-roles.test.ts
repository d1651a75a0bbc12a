// Case 003: a single-database restore into a cluster that lacks the roles the dump refers to.
import * as fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupWithCli,
  cli,
  databaseNames,
  dropDbs,
  dropRoles,
  loadCase,
  psqlRows,
  tempDir,
  userErrorShape,
  type BackupMade,
} from '../helpers/pg-case.js';
import { uniqueName } from '../helpers/pg.js';
import { jsonResult } from '../helpers/run-cli.js';

const roles = ['bkc_owner', 'bkc_reader'];
const source = uniqueName('dbb_c003');
const target = uniqueName('dbb_c003_r');
let backupDir: string;
let made: BackupMade;

beforeAll(async () => {
  backupDir = await tempDir();
  await loadCase('003', source);
  made = await backupWithCli(source, backupDir);
  // The cluster loses the roles: drop the source (and so its objects), then the roles.
  await dropDbs(source);
  await dropRoles(...roles);
});

afterAll(async () => {
  await dropDbs(source, target);
  await dropRoles(...roles);
  await fs.rm(backupDir, { recursive: true, force: true });
});

describe('case 003: restore into a cluster without the roles', () => {
  it('records the roles the database needs in the manifest', () => {
    expect(made.manifest.requires.roles).toEqual(expect.arrayContaining(roles));
  });

  it('shows the failing roles check in the plan and exits non-zero', async () => {
    const plan = await cli(['restore', 'single', made.file, '--target', target, '--json']);
    expect(plan.code).toBe(66);
    const result = jsonResult(plan) as { ok: boolean; plan: { checks: { name: string }[] } };
    expect(result.ok).toBe(false);
    expect(result.plan.checks).toContainEqual(
      expect.objectContaining({ name: 'roles', ok: false }),
    );
  });

  it('stops with a clear message naming bkc_owner and bkc_reader, and changes nothing', async () => {
    const result = await cli([
      'restore',
      'single',
      made.file,
      '--target',
      target,
      '--create',
      '--confirm',
    ]);
    expect(result.code).toBe(66);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/bkc_owner/);
    expect(shape.error).toMatch(/bkc_reader/);
    expect(shape.hint).toMatch(/--no-owner/);
    expect(shape.stack).toBe(false);
    expect(result.stdout).not.toMatch(/complete/);
    expect(await databaseNames()).not.toContain(target);
  });

  it('restores with --no-owner and warns that owners and grants were dropped', async () => {
    const result = await cli([
      'restore',
      'single',
      made.file,
      '--target',
      target,
      '--create',
      '--no-owner',
      '--confirm',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const warning = result.stderr.split('\n').find((line) => line.startsWith('warning: '));
    expect(warning).toMatch(/bkc_owner/);
    expect(warning).toMatch(/bkc_reader/);
    expect(warning).toMatch(/owner/);
    expect(await psqlRows(target, 'SELECT app.item_count()')).toEqual(['3']);
    expect(
      await psqlRows(
        target,
        "SELECT tableowner FROM pg_tables WHERE schemaname='app' AND tablename='items'",
      ),
    ).toEqual(['root']);
  });

  it('puts the warning in the --json result too', async () => {
    const other = `${target}_j`;
    try {
      const result = await cli([
        'restore',
        'single',
        made.file,
        '--target',
        other,
        '--create',
        '--no-owner',
        '--confirm',
        '--json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const events = result.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { type: string; kind?: string; text?: string });
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'event',
          kind: 'warning',
          text: expect.stringMatching(/bkc_owner/) as string,
        }),
      );
    } finally {
      await dropDbs(other);
    }
  });

  // The cluster check of this case runs on a throwaway server in pg-cluster.test.ts.
});
