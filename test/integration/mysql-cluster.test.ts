// MariaDB cluster backup of a whole throwaway server, restored into a freshly installed one.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetManifest } from '../../src/manifest/set-manifest.js';
import { cli, tempDir } from '../helpers/pg-case.js';
import {
  accountsOn,
  clientOn,
  cliOnMy,
  grantsOn,
  loadCaseOn,
  loadSakilaOn,
  readJson,
  roleMappingOn,
  showCreateAllOn,
  tableHashesOn,
  userDatabasesOn,
} from '../helpers/my-cluster.js';
import { startMyInstance, type MyInstance } from '../helpers/my-instance.js';
import { jsonResult, type CliResult } from '../helpers/run-cli.js';

const caseNames = ['Sales Q1', 'ops-data', 'Données'];
const databases = [...caseNames, 'definer_db', 'sakila'].sort();
const oddUser = 'bkc we\'ird `name"@x';

let source: MyInstance;
let target: MyInstance;
let backupDir: string;
let setPath: string;
let backup: CliResult;
let restore: CliResult;

// Accounts with passwords, TLS, limits, lock and expiry; grants from global to column level;
// roles granted to a role and to accounts, with admin option and a default role.
const accountsSql = `
CREATE USER 'bkc_app'@'%' IDENTIFIED BY 'App-Passw0rd'
  WITH MAX_QUERIES_PER_HOUR 100 MAX_USER_CONNECTIONS 3 PASSWORD EXPIRE INTERVAL 30 DAY;
CREATE USER '${oddUser.replace(/'/g, "''")}'@'10.0.0.%' IDENTIFIED BY 'x' REQUIRE SSL ACCOUNT LOCK;
CREATE USER 'bkc_données'@'localhost' IDENTIFIED BY 'y' PASSWORD EXPIRE;
CREATE USER 'bkc_nopass'@'localhost';
CREATE ROLE bkc_reader;
CREATE ROLE bkc_admin;
GRANT SELECT ON sakila.* TO bkc_reader;
GRANT bkc_reader TO bkc_admin;
GRANT bkc_reader TO 'bkc_app'@'%';
SET DEFAULT ROLE bkc_reader FOR 'bkc_app'@'%';
GRANT bkc_admin TO 'bkc_données'@'localhost' WITH ADMIN OPTION;
GRANT PROCESS ON *.* TO 'bkc_app'@'%' WITH GRANT OPTION;
GRANT SELECT (title), UPDATE (description) ON sakila.film TO 'bkc_app'@'%';
GRANT INSERT ON sakila.rental TO 'bkc_app'@'%';
GRANT EXECUTE ON FUNCTION sakila.get_customer_balance TO 'bkc_données'@'localhost';
GRANT EXECUTE ON PROCEDURE definer_db.p_count_sales TO bkc_reader;
GRANT SELECT ON \`Sales Q1\`.* TO '${oddUser.replace(/'/g, "''")}'@'10.0.0.%';
GRANT SELECT ON \`ops-data\`.t TO PUBLIC;
`;

async function seed(instance: MyInstance): Promise<void> {
  await loadCaseOn(instance, '039');
  await loadCaseOn(instance, '028', 'definer_db');
  await loadSakilaOn(instance);
  await clientOn(instance, undefined, accountsSql);
}

beforeAll(async () => {
  [source, target] = await Promise.all([startMyInstance(), startMyInstance()]);
  await seed(source);
  backupDir = await tempDir();
  backup = await cliOnMy(source, [
    ...['backup', 'cluster', '--backup-dir', backupDir, '--jobs', '2', '--json'],
  ]);
  if (backup.code !== 0) throw new Error(`backup cluster failed:\n${backup.stderr}`);
  setPath = String(jsonResult(backup).set);
  restore = await cliOnMy(target, [
    ...['restore', 'cluster', setPath, '--backup-dir', backupDir, '--jobs', '2', '--confirm'],
  ]);
  if (restore.code !== 0) throw new Error(`restore cluster failed:\n${restore.stderr}`);
}, 600_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  if (backupDir !== undefined) await fs.rm(backupDir, { recursive: true, force: true });
});

describe('backup cluster on MariaDB', () => {
  it('writes a complete set with every user database, the globals and the set manifest', async () => {
    const manifest = await readJson<SetManifest>(join(setPath, 'set.manifest.json'));
    expect(manifest).toMatchObject({ status: 'complete', engine: 'mysql' });
    expect(manifest.globals).toMatchObject({ status: 'complete', warnings: [] });
    expect(manifest.members.map((m) => m.database).sort()).toEqual(databases);
    for (const member of [manifest.globals, ...manifest.members]) {
      if (member.status !== 'complete') throw new Error(`member failed: ${member.database}`);
      const stat = await fs.stat(join(setPath, member.file));
      expect(stat.size).toBe(member.sizes.stored);
      expect((stat.mode & 0o777).toString(8)).toBe('600');
    }
  });

  it('leaves out the system accounts of the server and says so in the globals script', async () => {
    const manifest = await readJson<SetManifest>(join(setPath, 'set.manifest.json'));
    if (manifest.globals.status !== 'complete') throw new Error('globals failed');
    const { execFileSync } = await import('node:child_process');
    const script = execFileSync('zstd', ['-dc', join(setPath, manifest.globals.file)]).toString();
    expect(script).toMatch(/left out: 'mariadb\.sys'@'localhost', 'root'@'localhost'/);
    expect(script).not.toMatch(/CREATE USER IF NOT EXISTS `root`@`localhost`/);
    expect(script).toContain('CREATE USER IF NOT EXISTS `bkc_definer`@`localhost`');
  });

  it('verifies the globals member by reading the whole script', async () => {
    const manifest = await readJson<SetManifest>(join(setPath, 'set.manifest.json'));
    if (manifest.globals.status !== 'complete') throw new Error('globals failed');
    const result = await cliOnMy(source, ['verify', join(setPath, manifest.globals.file)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/dump structure complete: \d+ entries/);
  });
});

describe('restore cluster into a freshly installed server', () => {
  it('recreates the databases of case 039 with their exact names and rows', async () => {
    expect(await userDatabasesOn(target)).toEqual(databases);
    for (const name of caseNames) {
      const [row] = await target.query(
        'SELECT COUNT(*) AS n, GROUP_CONCAT(label ORDER BY id) AS labels FROM t',
        [],
        name,
      );
      expect(row).toEqual({ n: '3', labels: 'alpha,beta,gamma' });
    }
  });

  it('gives every database the same SHOW CREATE of every object and the same rows', async () => {
    for (const name of databases) {
      expect(await showCreateAllOn(target, name), name).toEqual(
        await showCreateAllOn(source, name),
      );
      expect(await tableHashesOn(target, name), name).toEqual(await tableHashesOn(source, name));
    }
    expect((await tableHashesOn(target, 'sakila')).rental).toMatch(/^16044:/);
  });

  it('recreates every account, role, grant, role grant and default role exactly', async () => {
    const accounts = await accountsOn(target);
    expect(accounts[`'${oddUser}'@'10.0.0.%'`]).toMatchObject({
      account_locked: true,
      ssl_type: 1,
    });
    expect(accounts["'bkc_données'@'localhost'"]).toMatchObject({ expired: true });
    expect(accounts["'bkc_app'@'%'"]).toMatchObject({
      max_questions: 100,
      password_lifetime: 30,
      default_role: 'bkc_reader',
    });
    expect(accounts["'bkc_admin'@''"]).toMatchObject({ is_role: true });
    expect(await accountsOn(target)).toEqual(await accountsOn(source));
    expect(await grantsOn(target)).toEqual(await grantsOn(source));
    expect(await roleMappingOn(target)).toEqual(await roleMappingOn(source));
  });

  it('keeps the password hashes, so the old passwords still log in', async () => {
    const rows = await target.query(
      "SELECT authentication_string AS a FROM mysql.user WHERE User = 'bkc_pw_user'",
    );
    const before = await source.query(
      "SELECT authentication_string AS a FROM mysql.user WHERE User = 'bkc_pw_user'",
    );
    expect(rows).toEqual(before);
    expect(rows[0]?.a).toMatch(/^\*[0-9A-F]{40}$/);
  });

  it('passes the full-server check of case 028', async () => {
    const [account] = await target.query(
      "SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'bkc_definer' AND Host = 'localhost'",
    );
    expect(account?.n).toBe('1');
    const grants = await target.query("SHOW GRANTS FOR 'bkc_definer'@'localhost'");
    expect(grants.map((g) => String(Object.values(g)[0]))).toContain(
      'GRANT SELECT, INSERT, UPDATE, EXECUTE, TRIGGER ON `definer_db`.* TO `bkc_definer`@`localhost`',
    );
    const q = (sql: string) => target.query(sql, [], 'definer_db');
    expect(await q("SELECT total FROM v_region_totals WHERE region='north'")).toEqual([
      { total: '14.75' },
    ]);
    expect(await q('SELECT f_answer() AS a')).toEqual([{ a: 42 }]);
    const called = await clientOn(target, 'definer_db', 'CALL p_count_sales(@n); SELECT @n;');
    expect(called.trim()).toBe('3');
    const before = await q('SELECT COUNT(*) AS n FROM audit_log');
    await q("INSERT INTO sales VALUES (4,'east',1)");
    const after = await q('SELECT COUNT(*) AS n FROM audit_log');
    expect(Number(after[0]?.n)).toBe(Number(before[0]?.n) + 1);
    await q('DELETE FROM sales WHERE id = 4');
    await q('DELETE FROM audit_log WHERE sale_id = 4');
  });

  it('restores one database out of the set under another name', async () => {
    const result = await cliOnMy(target, [
      ...['restore', 'single', setPath, '--database', 'Données'],
      ...['--target', 'Données copy', '--create', '--confirm'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await tableHashesOn(target, 'Données copy')).toEqual(
      await tableHashesOn(source, 'Données'),
    );
    await target.query('DROP DATABASE `Données copy`');
  });

  it('refuses a second restore over the now non-empty databases without --clean-cluster', async () => {
    const again = await cliOnMy(target, ['restore', 'cluster', setPath, '--confirm']);
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/exists and is not empty/);
  });

  it('restores again with --clean-cluster, keeping and altering the existing accounts', async () => {
    await target.query("ALTER USER 'bkc_app'@'%' WITH MAX_QUERIES_PER_HOUR 5 ACCOUNT LOCK");
    await target.query("ALTER USER 'bkc_pw_user'@'%' REQUIRE SSL PASSWORD EXPIRE NEVER");
    await target.query("ALTER USER 'bkc_nopass'@'localhost' IDENTIFIED BY 'set-later'");
    await target.query("GRANT bkc_reader TO 'bkc_pw_user'@'%'");
    await target.query("SET DEFAULT ROLE bkc_reader FOR 'bkc_pw_user'@'%'");
    await target.query("REVOKE INSERT ON sakila.rental FROM 'bkc_app'@'%'");
    await target.query('INSERT INTO `ops-data`.t VALUES (4, ?)', ['changed']);
    const again = await cliOnMy(target, [
      ...['restore', 'cluster', setPath, '--clean-cluster', '--confirm'],
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/kept and altered what already existed: .*account 'bkc_app'@'%'/);
    expect(await tableHashesOn(target, 'ops-data')).toEqual(
      await tableHashesOn(source, 'ops-data'),
    );
    expect(await accountsOn(target)).toEqual(await accountsOn(source));
    // Grants the target had beyond the dump are kept: the role granted above stays.
    const grants = await grantsOn(target);
    expect(grants["'bkc_pw_user'@'%'"]).toContain('GRANT `bkc_reader` TO `bkc_pw_user`@`%`');
    await target.query("REVOKE bkc_reader FROM 'bkc_pw_user'@'%'");
    expect(await grantsOn(target)).toEqual(await grantsOn(source));
  });

  it('lists the set and its members in list backups', async () => {
    const listed = await cli(['list', 'backups', '--backup-dir', backupDir]);
    expect(listed.stdout).toContain(`(cluster: ${databases.length} database(s))`);
    expect(listed.stdout).toContain('(globals)');
  });
});
