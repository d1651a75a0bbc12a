// `dbbackup health` exit codes with real ages: manifests written with old start times.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dailyTimes, writeFakeBackup } from '../helpers/fake-backups.js';
import { cli, tempDir } from '../helpers/pg-case.js';
import { jsonResult } from '../helpers/run-cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

/** A directory with a week of dailies of 'app', the newest `hoursAgo` old, and a synced catalog. */
async function history(hoursAgo: number): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  for (const startedAt of dailyTimes(new Date(), 7, hoursAgo)) {
    await writeFakeBackup(dir, { database: 'app', startedAt });
  }
  expect((await cli(['catalog', 'sync', dir])).code).toBe(0);
  return dir;
}

const health = (dir: string, ...args: string[]) => cli(['health', '--backup-dir', dir, ...args]);

describe('dbbackup health', () => {
  it.each([
    [2, 0, 'ok'],
    [30, 1, 'warning'],
    [60, 2, 'critical'],
  ])(
    'a newest backup %d h old exits %d (%s) with the default --max-age 26h',
    async (hoursAgo, code, level) => {
      const dir = await history(hoursAgo);
      const result = await health(dir, '--json');
      expect(result.code, result.stderr).toBe(code);
      expect(jsonResult(result)).toMatchObject({ level, databases: [{ database: 'app', level }] });
    },
  );

  it('takes --max-age: the same backup is fine under a longer limit', async () => {
    const dir = await history(30);
    expect((await health(dir, '--max-age', '48h')).code).toBe(0);
    expect((await health(dir, '--max-age', '10h')).code).toBe(2);
  });

  it('warns when the catalog is missing or a file it lists is gone', async () => {
    const dir = await history(2);
    await fs.rm(join(dir, '.dbbackup-catalog.sqlite'));
    const missing = await health(dir);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/warning\s+catalog: catalog '.*' does not exist/);

    expect((await cli(['catalog', 'sync', dir])).code).toBe(0);
    const oldest = (await fs.readdir(dir)).filter((n) => n.endsWith('.pgdump')).sort()[0]!;
    await fs.rm(join(dir, oldest));
    const gone = jsonResult(await health(dir, '--json')) as {
      checks: { name: string; detail: string }[];
    };
    expect(gone.checks.find((c) => c.name === 'catalog')?.detail).toBe(
      '1 file(s) missing, 0 backup(s) not in the catalog',
    );
  });

  it('is critical for an empty backup directory', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const result = await health(dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('no backups in the backup directory');
  });
});
