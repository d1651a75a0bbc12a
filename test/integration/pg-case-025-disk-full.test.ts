// Case 025: the backup directory fills up during the dump (a 5 MB tmpfs, ~30 MB of data).
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempPrefix } from '../../src/plan/backup-name.js';
import {
  backupWithCli,
  cli,
  createSmallDb,
  dropDbs,
  backupEntries,
  loadCase,
  userErrorShape,
  type BackupMade,
} from '../helpers/pg-case.js';
import { mountTmpfs, unmountTmpfs } from '../helpers/mount.js';
import { uniqueName } from '../helpers/pg.js';

const big = uniqueName('dbb_c025');
const small = uniqueName('dbb_c025_small');
let backupDir: string;
let older: BackupMade;

beforeAll(async () => {
  backupDir = await mountTmpfs('5m');
  await loadCase('025', big);
  await createSmallDb(small);
  older = await backupWithCli(small, backupDir);
});

afterAll(async () => {
  await unmountTmpfs(backupDir);
  await dropDbs(big, small);
});

describe('case 025: disk full during the backup', () => {
  it.each(['zstd', 'gzip', 'none'])(
    'exits 74 with %s and leaves neither a backup nor a temp file; the older one stays',
    async (compression) => {
      const before = await backupEntries(backupDir);
      const result = await cli([
        'backup',
        'single',
        big,
        '--backup-dir',
        backupDir,
        '--compression',
        compression,
      ]);
      expect(result.code, result.stderr).toBe(74);
      const shape = userErrorShape(result.stderr);
      expect(shape.error).toMatch(/no space left on device|file too large/);
      expect(shape.hint).toMatch(/space/i);
      expect(shape.stack).toBe(false);
      expect(result.stdout).not.toMatch(/complete/);

      const after = await backupEntries(backupDir);
      expect(after).toEqual(before);
      expect(after.filter((name) => name.startsWith(tempPrefix))).toEqual([]);
      expect(after.filter((name) => name.includes(big))).toEqual([]);

      const verify = await cli(['verify', older.file]);
      expect(verify.code, verify.stderr).toBe(0);
    },
  );

  it('lets the next run write a backup into the same directory', async () => {
    const again = await backupWithCli(small, backupDir);
    expect(again.file).not.toBe(older.file);
    await fs.stat(join(backupDir, `${again.file.slice(backupDir.length + 1)}.manifest.json`));
  });
});
