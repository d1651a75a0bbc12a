// Retention against real PostgreSQL backups of two databases: each policy, --dry-run parity,
// --cleanup after a backup (and never after a failed one), and the kept files still restore.
import * as fs from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backdate, backupFiles } from '../helpers/catalog-cli.js';
import { backupWithCli, cli, dropDbs, restoreWithCli, tempDir } from '../helpers/pg-case.js';
import { createDb, pgQuery, tableHashes, uniqueName } from '../helpers/pg.js';
import { jsonResult } from '../helpers/run-cli.js';

const alpha = uniqueName('dbb_ret_a');
const beta = uniqueName('dbb_ret_b');
const restored: string[] = [];
const dirs: string[] = [];
let hashes: Record<string, Record<string, string>>;

beforeAll(async () => {
  for (const [name, rows] of [
    [alpha, 50],
    [beta, 70],
  ] as const) {
    await createDb(name);
    await pgQuery(name, `CREATE TABLE t (id int PRIMARY KEY, v text)`);
    await pgQuery(name, `INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, ${rows}) g`);
  }
  hashes = { [alpha]: await tableHashes(alpha), [beta]: await tableHashes(beta) };
});

afterAll(async () => {
  await dropDbs(alpha, beta, ...restored);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

interface History {
  dir: string;
  /** Data file names by label: a1..a3 (old), aNow, b1, b2 (old), bNow. */
  files: Record<string, string>;
}

/**
 * Real backups, three of alpha and two of beta back-dated into 2019/2020, a failed attempt of
 * alpha, then one fresh backup of each.
 */
async function makeHistory(): Promise<History> {
  const dir = await tempDir();
  dirs.push(dir);
  const files: Record<string, string> = {};
  const old: [string, string, string][] = [
    ['a1', alpha, '2019-12-31T02:00:00Z'],
    ['a2', alpha, '2020-01-15T02:00:00Z'],
    ['a3', alpha, '2020-01-20T02:00:00Z'],
    ['b1', beta, '2020-01-10T02:00:00Z'],
    ['b2', beta, '2020-01-12T02:00:00Z'],
  ];
  for (const [label, database, when] of old) {
    const made = await backupWithCli(database, dir);
    await backdate(made.file, new Date(when));
    files[label] = basename(made.file);
  }
  const failed = await cli(['backup', 'single', alpha, '--backup-dir', dir, '--port', '1']);
  expect(failed.code).toBe(69);
  files.aNow = basename((await backupWithCli(alpha, dir)).file);
  files.bNow = basename((await backupWithCli(beta, dir)).file);
  expect((await cli(['catalog', 'sync', dir])).code).toBe(0);
  return { dir, files };
}

async function cleanup(dir: string, args: string[]) {
  const result = await cli(['cleanup', '--backup-dir', dir, '--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return jsonResult(result) as {
    decisions: { action: string; id: string; file: string | null }[];
    deleted: string[];
  };
}

const pairs = (...names: string[]) => names.flatMap((n) => [n, `${n}.manifest.json`]).sort();

describe('dbbackup cleanup', () => {
  it('keep-last: dry run lists exactly what the real run deletes; failed attempts go; kept files restore', async () => {
    const { dir, files } = await makeHistory();
    const dry = await cleanup(dir, ['--keep-last', '2', '--dry-run']);
    const wouldDelete = dry.decisions
      .filter((d) => d.action === 'delete')
      .map((d) => d.id)
      .sort();
    expect(await backupFiles(dir)).toHaveLength(14);

    const real = await cleanup(dir, ['--keep-last', '2']);
    expect([...real.deleted].sort()).toEqual(wouldDelete);
    const failedIds = wouldDelete.filter((id) => id.startsWith('failed-'));
    expect(failedIds).toHaveLength(1);
    expect(wouldDelete.filter((id) => !id.startsWith('failed-')).sort()).toEqual(
      [files.a1, files.a2, files.b1].sort(),
    );
    expect(await backupFiles(dir)).toEqual(pairs(files.a3!, files.aNow!, files.b2!, files.bNow!));

    for (const [label, source] of [
      ['a3', alpha],
      ['aNow', alpha],
      ['b2', beta],
      ['bNow', beta],
    ] as const) {
      const target = uniqueName(`dbb_ret_r_${label}`);
      restored.push(target);
      await restoreWithCli(join(dir, files[label]!), target);
      expect(await tableHashes(target)).toEqual(hashes[source]);
    }

    const listed = jsonResult(await cli(['catalog', 'list', '--backup-dir', dir, '--json'])) as {
      backups: { id: string }[];
    };
    expect(listed.backups.map((b) => b.id).sort()).toEqual(
      [files.a3, files.aNow, files.b2, files.bNow].sort(),
    );
  });

  it('keep-days: keeps only what is younger, and the newest of each database', async () => {
    const { dir, files } = await makeHistory();
    await cleanup(dir, ['--keep-days', '7']);
    expect(await backupFiles(dir)).toEqual(pairs(files.aNow!, files.bNow!));
  });

  it('gfs: keeps the newest backup of each of the last years, per database', async () => {
    const { dir, files } = await makeHistory();
    const result = await cleanup(dir, ['--gfs', '0,0,0,10']);
    expect(await backupFiles(dir)).toEqual(
      pairs(files.a1!, files.a3!, files.aNow!, files.b2!, files.bNow!),
    );
    expect(result.decisions.find((d) => d.file === files.a1)).toMatchObject({
      action: 'keep',
      reasons: ['gfs yearly 2019'],
    });
  });

  it('--database limits cleanup to matching databases', async () => {
    const { dir, files } = await makeHistory();
    await cleanup(dir, ['--keep-last', '1', '--database', `${beta.slice(0, -4)}*`]);
    expect(await backupFiles(dir)).toEqual(
      pairs(files.a1!, files.a2!, files.a3!, files.aNow!, files.bNow!),
    );
  });

  it('backup single --cleanup applies the policy to that database after a success, never after a failure', async () => {
    const { dir, files } = await makeHistory();
    const failed = await cli([
      'backup',
      'single',
      alpha,
      '--backup-dir',
      dir,
      '--port',
      '1',
      '--cleanup',
      '--keep-last',
      '1',
    ]);
    expect(failed.code).toBe(69);
    expect(await backupFiles(dir)).toHaveLength(14);

    const made = await backupWithCli(alpha, dir, ['--cleanup', '--keep-last', '1']);
    expect(made.result.stdout).toMatch(/cleanup \(keep-last 1\): deleted 6, kept 1/);
    const b = [files.b1!, files.b2!, files.bNow!];
    expect(await backupFiles(dir)).toEqual(pairs(basename(made.file), ...b));
  });

  it('backup single --cleanup without a policy fails before dumping anything', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const result = await cli(['backup', 'single', alpha, '--backup-dir', dir, '--cleanup']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('error: no retention policy given');
    expect(result.stderr).toContain('hint: ');
    expect(await backupFiles(dir)).toEqual([]);
  });
});
