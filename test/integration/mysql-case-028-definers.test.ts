// Case 028: views, routines and triggers whose DEFINER account is missing where they are restored.
import * as fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, userErrorShape } from '../helpers/pg-case.js';
import { clientRows, dropDbs, dropUsers, myQuery, uniqueName } from '../helpers/mysql.js';
import {
  loadMyCase,
  myBackup,
  myFlags,
  myRestore,
  myRestoreOk,
  type MyBackup,
} from '../helpers/mysql-case.js';

const source = uniqueName('dbb_my028');
const targets: string[] = [];
const definer = 'bkc_definer@localhost';
const restorer: [string, string] = [`bkc_rs_${process.pid}`, 'localhost'];
const restorerPassword = 'restorer-Passw0rd';
let backupDir: string;
let backup: MyBackup;

function newTarget(): string {
  const name = uniqueName('dbb_my028_r');
  targets.push(name);
  return name;
}

/** The case's checks, each as the line the client prints. */
async function caseChecks(database: string): Promise<void> {
  const total = "SELECT total FROM v_region_totals WHERE region='north'";
  expect(await clientRows(database, total)).toEqual(['14.75']);
  expect(await clientRows(database, 'SELECT f_answer()')).toEqual(['42']);
  expect(await clientRows(database, 'CALL p_count_sales(@n); SELECT @n')).toEqual(['3']);
  const before = await clientRows(database, 'SELECT COUNT(*) FROM audit_log');
  await clientRows(database, "INSERT INTO sales VALUES (4,'east',1)");
  const after = await clientRows(database, 'SELECT COUNT(*) FROM audit_log');
  expect(Number(after[0]) - Number(before[0])).toBe(1);
}

beforeAll(async () => {
  await dropUsers(['bkc_definer', 'localhost'], restorer);
  await loadMyCase('028', source);
  backupDir = await tempDir();
  backup = await myBackup(source, backupDir);
  // The account goes away after the backup: the same server is now one without it.
  await dropUsers(['bkc_definer', 'localhost']);
});

afterAll(async () => {
  await dropDbs(source, ...targets);
  await dropUsers(['bkc_definer', 'localhost'], restorer);
  await fs.rm(backupDir, { recursive: true, force: true });
});

describe('case 028: DEFINER accounts missing on the target', () => {
  it('records the DEFINER accounts the dump needs in the manifest', () => {
    expect(backup.manifest.requires.roles).toEqual([definer]);
  });

  it('plans to rewrite the missing definer to the restoring user, naming it', async () => {
    const target = newTarget();
    const plan = await cli([
      'restore',
      'single',
      backup.file,
      '--target',
      target,
      '--create',
      ...myFlags,
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`missing '${definer}': rewritten to the restoring user`);
  });

  it('restores with the default definer handling and every query of the case works', async () => {
    const target = newTarget();
    const result = await myRestoreOk(backup.file, target);
    expect(result.stderr).toContain(`DEFINER account(s) '${definer}' do not exist on the target`);
    await caseChecks(target);
    const [view] = await myQuery(
      'SELECT DEFINER AS d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?',
      [target],
    );
    expect(view?.d).toBe('root@localhost');
  });

  it('with --definers keep, refuses before restoring and lists the missing definer (exit 66)', async () => {
    const target = newTarget();
    const result = await myRestore(backup.file, target, ['--definers', 'keep']);
    expect(result.code, result.stderr).toBe(66);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toContain(`lacks DEFINER account(s) '${definer}'`);
    expect(shape.hint).toMatch(/--definers rewrite/);
    const exists = await myQuery(
      'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [target],
    );
    expect(exists).toEqual([]);
  });

  it('surfaces ERROR 1227 as a failed restore when the restoring user may not keep a definer', async () => {
    // root@localhost exists on the target, so it is kept; an account without SUPER or
    // SET USER may not create objects in another account's name.
    const own = uniqueName('dbb_my028_root');
    targets.push(own);
    await myQuery(`CREATE DATABASE \`${own}\``);
    await myQuery(`CREATE TABLE \`${own}\`.t (id INT PRIMARY KEY)`);
    await myQuery(`CREATE VIEW \`${own}\`.v AS SELECT id FROM \`${own}\`.t`);
    const made = await myBackup(own, backupDir);
    expect(made.manifest.requires.roles).toEqual(['root@localhost']);

    const target = newTarget();
    await myQuery(`CREATE DATABASE \`${target}\``);
    await myQuery('CREATE USER ?@? IDENTIFIED BY ?', [...restorer, restorerPassword]);
    await myQuery(`GRANT ALL PRIVILEGES ON \`${target}\`.* TO ?@?`, restorer);
    await myQuery('GRANT SELECT ON mysql.user TO ?@?', restorer);
    const args = ['restore', 'single', made.file, '--target', target, '--confirm'];
    const result = await cli([...args, ...myFlags, '--user', restorer[0]], {
      env: { MYSQL_PWD: restorerPassword },
    });
    expect(result.code, result.stderr).toBe(77);
    expect(userErrorShape(result.stderr).error).toMatch(/mariadb exited with 1: ERROR 1227/);
  });
});
