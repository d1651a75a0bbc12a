// Case 031: zero dates restored into a throwaway MariaDB whose global sql_mode is strict.
import * as fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/pg-case.js';
import { startMyInstance, type MyInstance } from '../helpers/my-instance.js';
import { dropDbs, uniqueName } from '../helpers/mysql.js';
import { loadMyCase, myBackup, type MyBackup } from '../helpers/mysql-case.js';

// MySQL 8's default, which the case calls the strict default; MariaDB's own lacks NO_ZERO_DATE.
const strict =
  'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';
const source = uniqueName('dbb_my031');
let backupDir: string;
let backup: MyBackup;
let server: MyInstance;

beforeAll(async () => {
  await loadMyCase('031', source);
  backupDir = await tempDir();
  backup = await myBackup(source, backupDir);
  server = await startMyInstance({ sqlMode: strict });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await dropDbs(source);
  await fs.rm(backupDir, { recursive: true, force: true });
});

describe('case 031: zero dates under a strict sql_mode target', () => {
  it('runs the target with the strict global sql_mode, which rejects the zero default', async () => {
    expect(await server.sql(undefined, 'SELECT @@GLOBAL.sql_mode')).toEqual([strict]);
    await server.sql(undefined, 'CREATE DATABASE probe');
    const create = "CREATE TABLE t (d DATE NOT NULL DEFAULT '0000-00-00')";
    await expect(server.sql('probe', create)).rejects.toThrow(/Invalid default value/);
  });

  it('restores every zero and partial-zero value unchanged and keeps the zero defaults', async () => {
    const args = ['restore', 'single', backup.file, '--target', 'legacy', '--create', '--confirm'];
    const result = await cli([...args, '--db-type', 'mariadb', '--socket', server.socket]);
    expect(result.code, result.stderr).toBe(0);

    const same = `SELECT COUNT(*) FROM legacy_dates l JOIN expected e USING (id)
      WHERE CAST(l.d AS CHAR) = e.d AND CAST(l.dt AS CHAR) = e.dt`;
    expect(await server.sql('legacy', same)).toEqual(['3']);
    const values = 'SELECT CAST(d AS CHAR), CAST(dt AS CHAR) FROM legacy_dates ORDER BY id';
    expect(await server.sql('legacy', values)).toEqual([
      '0000-00-00\t0000-00-00 00:00:00',
      '2024-00-15\t2024-05-00 10:00:00',
      '2024-02-29\t2024-02-29 23:59:59',
    ]);
    const defaults = `SELECT COLUMN_NAME, COLUMN_DEFAULT FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = 'legacy' AND TABLE_NAME = 'legacy_dates' AND COLUMN_NAME IN ('d', 'dt')
      ORDER BY COLUMN_NAME`;
    expect(await server.sql(undefined, defaults)).toEqual([
      "d\t'0000-00-00'",
      "dt\t'0000-00-00 00:00:00'",
    ]);
  });

  it('leaves the global sql_mode of the target unchanged', async () => {
    expect(await server.sql(undefined, 'SELECT @@GLOBAL.sql_mode')).toEqual([strict]);
  });
});
