// Case 029: routines, triggers and events are in the backup, or the backup fails saying why.
import * as fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, listDir, tempDir, userErrorShape } from '../helpers/pg-case.js';
import { clientRows, dropDbs, dropUsers, ident, myQuery, uniqueName } from '../helpers/mysql.js';
import {
  loadMyCase,
  myBackup,
  myFlags,
  myRestoreOk,
  type MyBackup,
} from '../helpers/mysql-case.js';

const source = uniqueName('dbb_my029');
const targets: string[] = [];
const account: [string, string] = [`bkc_priv_${process.pid}`, 'localhost'];
const password = 'Backup-Passw0rd';
let backupDir: string;
let backup: MyBackup;

function newTarget(): string {
  const name = uniqueName('dbb_my029_r');
  targets.push(name);
  return name;
}

/** The case's first check, on the restored schema. */
async function caseChecks(database: string): Promise<void> {
  const count = (table: string, column: string) =>
    clientRows(
      database,
      `SELECT COUNT(*) FROM information_schema.${table} WHERE ${column}=DATABASE()`,
    );
  expect(await count('ROUTINES', 'ROUTINE_SCHEMA')).toEqual(['2']);
  expect(await count('TRIGGERS', 'TRIGGER_SCHEMA')).toEqual(['1']);
  expect(await count('EVENTS', 'EVENT_SCHEMA')).toEqual(['1']);
  const event =
    'SELECT STATUS, EVENT_COMMENT FROM information_schema.EVENTS WHERE EVENT_SCHEMA=DATABASE()';
  expect(await clientRows(database, event)).toEqual(['DISABLED\tdaily tick']);
  expect(await clientRows(database, 'SELECT f_double(21)')).toEqual(['42']);
  expect(await clientRows(database, "SELECT n FROM counters WHERE name='rows'")).toEqual(['2']);
}

/** Re-creates the backup account with exactly these grants. */
async function grantOnly(grants: string[]): Promise<void> {
  await dropUsers(account);
  await myQuery('CREATE USER ?@? IDENTIFIED BY ?', [...account, password]);
  for (const grant of grants) await myQuery(`GRANT ${grant} TO ?@?`, account);
}

function backupAsAccount(dir: string) {
  return cli(['backup', 'single', source, '--backup-dir', dir, ...myFlags, '--user', account[0]], {
    env: { MYSQL_PWD: password },
  });
}

beforeAll(async () => {
  await loadMyCase('029', source);
  backupDir = await tempDir();
  backup = await myBackup(source, backupDir);
});

afterAll(async () => {
  await dropDbs(source, ...targets);
  await dropUsers(account);
  await fs.rm(backupDir, { recursive: true, force: true });
});

describe('case 029: routines, triggers and events', () => {
  it('restores both routines, the trigger and the disabled event, and the trigger does not fire again', async () => {
    const target = newTarget();
    await myRestoreOk(backup.file, target);
    await caseChecks(target);
  });

  it('restores the same backup twice over the existing database with --clean', async () => {
    const target = newTarget();
    await myRestoreOk(backup.file, target);
    await myRestoreOk(backup.file, target, ['--clean']);
    await caseChecks(target);
  });

  const db = ident(source);
  const full = [
    `SELECT, LOCK TABLES, SHOW VIEW, TRIGGER, EVENT ON ${db}.*`,
    'SELECT ON mysql.proc',
  ];
  const lacking = [
    { lacks: 'EVENT', grants: [`SELECT, LOCK TABLES, TRIGGER ON ${db}.*`, full[1] ?? ''] },
    { lacks: 'TRIGGER', grants: [`SELECT, LOCK TABLES, EVENT ON ${db}.*`, full[1] ?? ''] },
    {
      lacks: 'SELECT ON mysql.proc (to read stored routines)',
      grants: [`SELECT, LOCK TABLES, TRIGGER, EVENT ON ${db}.*`],
    },
  ];

  it.each(lacking)(
    'fails the backup with exit 77 when the account lacks $lacks, and writes nothing',
    async ({ lacks, grants }) => {
      await grantOnly(grants);
      const dir = await tempDir();
      const result = await backupAsAccount(dir);
      expect(result.code, result.stderr).toBe(77);
      const shape = userErrorShape(result.stderr);
      expect(shape.error).toContain(`cannot see every object of '${source}'`);
      expect(shape.error).toContain(`lacks ${lacks}`);
      expect(shape.hint).toMatch(/^hint: Grant /);
      // Only the catalog and the journal record the failed attempt (listDir leaves them out).
      expect(await listDir(dir)).toEqual([]);
      await fs.rm(dir, { recursive: true });
    },
  );

  it('backs up as an account with every needed privilege, and the restore has every object', async () => {
    await grantOnly(full);
    const dir = await tempDir();
    const result = await backupAsAccount(dir);
    expect(result.code, result.stderr).toBe(0);
    const [file] = (await listDir(dir)).filter((f) => f.endsWith('.sql.zst'));
    const target = newTarget();
    await myRestoreOk(`${dir}/${file ?? ''}`, target);
    await caseChecks(target);
    await fs.rm(dir, { recursive: true });
  });
});
