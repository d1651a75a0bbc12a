// The server drops the dump's connection mid-table (pg_terminate_backend, KILL on MariaDB):
// the backup fails with the server's message and nothing half-written remains.
import * as fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { myFlags } from '../helpers/mysql-case.js';
import * as my from '../helpers/mysql.js';
import { cli, dropDbs, tempDir, userErrorShape } from '../helpers/pg-case.js';
import { createDb, pgQuery, uniqueName } from '../helpers/pg.js';
import type { CliResult } from '../helpers/run-cli.js';

const pgSource = uniqueName('dbb_drop');
const mySource = my.uniqueName('dbb_drop');
const dirs: string[] = [];

beforeAll(async () => {
  // Big enough that the dump is still reading the table when its session is ended.
  await createDb(pgSource);
  await pgQuery(
    pgSource,
    `CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v
     FROM generate_series(1, 600000) g`,
  );
  await my.createDb(mySource);
  await my.myQuery(
    'CREATE TABLE big (id INT PRIMARY KEY, v VARCHAR(80)) SELECT seq AS id, ' +
      'CONCAT(MD5(seq), MD5(seq * 7)) AS v FROM seq_1_to_600000',
    [],
    { database: mySource },
  );
}, 300_000);

afterAll(async () => {
  await dropDbs(pgSource);
  await my.dropDbs(mySource);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

/** Runs the CLI and, once `findSession` names the dump's session, has `end` drop it. */
async function dropMidDump(
  args: readonly string[],
  findSession: () => Promise<number | undefined>,
  end: (id: number) => Promise<void>,
): Promise<{ result: CliResult; dropped: boolean }> {
  let finished = false;
  const running = cli(args).finally(() => (finished = true));
  let dropped = false;
  while (!finished && !dropped) {
    const id = await findSession();
    if (id !== undefined) {
      await end(id);
      dropped = true;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return { result: await running, dropped };
}

/** Nothing in the directory but the journal and catalog of the failed attempt. */
async function leftovers(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir);
  return names.filter((n) => !/^\.dbbackup-(journal|catalog)/.test(n));
}

describe('a connection dropped by the server mid-dump', () => {
  it('fails a PostgreSQL backup with the server message and leaves nothing', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const { result, dropped } = await dropMidDump(
      ['backup', 'single', pgSource, '--backup-dir', dir],
      async () => {
        const rows = await pgQuery<{ pid: number }>(
          'postgres',
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'COPY %'
           AND state = 'active'`,
          [pgSource],
        );
        return rows[0]?.pid;
      },
      async (pid) => {
        await pgQuery('postgres', 'SELECT pg_terminate_backend($1)', [pid]);
      },
    );
    expect(dropped).toBe(true);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /terminating connection due to administrator command|server closed the connection/,
    );
    expect(result.code).toBe(69);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/pg_dump/);
    expect(shape.hint, result.stderr).not.toBe('');
    expect(shape.stack).toBe(false);
    expect(await leftovers(dir)).toEqual([]);
  }, 120_000);

  it('fails a MariaDB backup with the server message and leaves nothing', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const { result, dropped } = await dropMidDump(
      ['backup', 'single', mySource, '--backup-dir', dir, ...myFlags],
      async () => {
        const rows = await my.myQuery(
          `SELECT ID AS id FROM information_schema.PROCESSLIST
           WHERE DB = ? AND INFO LIKE 'SELECT /*!40001 SQL_NO_CACHE */%'`,
          [mySource],
        );
        return rows[0] === undefined ? undefined : Number(rows[0].id);
      },
      async (id) => {
        await my.myQuery(`KILL ${id}`);
      },
    );
    expect(dropped).toBe(true);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Lost connection|server has gone away|interrupted/i);
    expect(result.code).toBe(69);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/mariadb-dump|mysqldump/);
    expect(shape.hint, result.stderr).not.toBe('');
    expect(shape.stack).toBe(false);
    expect(await leftovers(dir)).toEqual([]);
  }, 120_000);
});
