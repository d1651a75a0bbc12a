// Case 039: database names that need quoting, and a password full of option-file characters.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteOptionValue } from '../../src/engines/mysql/option-file.js';
import { caseDir, cli, tempDir, type CliOptions } from '../helpers/pg-case.js';
import { dropDbs, dropUsers, myQuery, runClient, runSqlFile } from '../helpers/mysql.js';
import { myFlags, myRestoreOk } from '../helpers/mysql-case.js';
import { sampleCommandLines } from '../helpers/proc-sampler.js';
import { jsonResult } from '../helpers/run-cli.js';

const names = ['Sales Q1', 'ops-data', 'Données'];
const account: [string, string] = ['bkc_pw_user', '%'];
const dirs: string[] = [];
let password: string;

async function newDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

async function writePrivate(path: string, text: string): Promise<void> {
  await fs.writeFile(path, text, { mode: 0o600 });
  await fs.chmod(path, 0o600);
}

beforeAll(async () => {
  const setup = join(await caseDir('039'), 'setup.mysql.sql');
  // The password exactly as the server stores it: the SQL literal with '' and \\ undone.
  const literal = /IDENTIFIED BY '((?:[^'\\]|''|\\.)*)'/.exec(await fs.readFile(setup, 'utf8'));
  password = (literal?.[1] ?? '').replace(/''/g, "'").replace(/\\(.)/g, '$1');
  expect(password).toBe('p@ss:w/rd?#&$`\'" \\%; =end');

  await dropDbs(...names);
  await dropUsers(account);
  await runSqlFile(undefined, setup);
  // Rows enough that mariadb-dump lives long enough to be seen in /proc.
  const filler =
    'CREATE TABLE filler (id INT PRIMARY KEY, h CHAR(32)); ' +
    'INSERT INTO filler SELECT seq, MD5(seq) FROM seq_1_to_200000;';
  await runClient('Sales Q1', filler);
}, 120_000);

afterAll(async () => {
  await dropDbs(...names);
  await dropUsers(account);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

/**
 * The case grants no way to read stored routines, so the server would hide any routine from
 * the dump, and backups refuse such an account (case 029). Reading mysql.proc is the grant
 * MariaDB 10.11 needs; the checks of this case then hold with everything else as it set up.
 */
async function grantRoutineAccess(): Promise<void> {
  await myQuery('GRANT SELECT ON mysql.proc TO ?@?', account);
}

/**
 * Backs up each database as bkc_pw_user with the password from `options`, sampling every
 * command line meanwhile; then drops each database and restores it as root under its name.
 */
async function roundTrip(options: CliOptions, extra: string[] = []): Promise<void> {
  await grantRoutineAccess();
  const dir = await newDir();
  const printed: string[] = [];
  const files: string[] = [];
  const sampler = sampleCommandLines([password]);
  try {
    for (const name of names) {
      const args = ['backup', 'single', name, '--backup-dir', dir, '--json', ...myFlags];
      const backup = await cli([...args, '--user', 'bkc_pw_user', ...extra], options);
      expect(backup.code, backup.stderr).toBe(0);
      printed.push(backup.stdout, backup.stderr);
      files.push(String(jsonResult(backup).file));
    }
  } finally {
    const report = await sampler.stop();
    expect(report.leaks).toEqual([]);
    expect(report.passes).toBeGreaterThan(10);
    expect([...report.programs]).toContain('mariadb-dump');
  }

  for (const [i, name] of names.entries()) {
    const file = files[i] ?? '';
    expect(file.startsWith(`${dir}/`)).toBe(true);
    expect(file.slice(dir.length + 1)).not.toContain('/');
    await dropDbs(name);
    printed.push((await myRestoreOk(file, name)).stderr);
  }
  const listed = (await myQuery('SHOW DATABASES')).map((r) => String(r.Database));
  expect(listed).toEqual(expect.arrayContaining(names));
  for (const name of names) {
    const check = 'SELECT COUNT(*), GROUP_CONCAT(label ORDER BY id) FROM t';
    expect(await runClient(name, check)).toBe('3\talpha,beta,gamma\n');
  }

  expect(printed.join('\n')).not.toContain(password);
  for (const entry of await fs.readdir(dir)) {
    const bytes = await fs.readFile(join(dir, entry));
    expect(bytes.includes(Buffer.from(password)), entry).toBe(false);
  }
}

describe('case 039: names and passwords that need quoting', () => {
  it('refuses a backup with only the grants of the case, which hide stored routines (77)', async () => {
    const dir = await newDir();
    const args = ['backup', 'single', 'Sales Q1', '--backup-dir', dir, ...myFlags];
    const result = await cli([...args, '--user', 'bkc_pw_user'], { env: { MYSQL_PWD: password } });
    expect(result.code, result.stderr).toBe(77);
    expect(result.stderr).toContain('lacks SELECT ON mysql.proc (to read stored routines)');
    expect(result.stderr).not.toContain(password);
  });

  it('backs up each database with the password in MYSQL_PWD, never on a command line', async () => {
    await roundTrip({ env: { MYSQL_PWD: password } });
  });

  it('backs up each database with the password in a 0600 config file', async () => {
    const config = join(await newDir(), 'config.json');
    await writePrivate(config, JSON.stringify({ password }));
    await roundTrip({}, ['--config', config]);
  });

  it('backs up each database with the password in ~/.my.cnf', async () => {
    const home = await newDir();
    await writePrivate(join(home, '.my.cnf'), `[client]\npassword=${quoteOptionValue(password)}\n`);
    await roundTrip({ home });
  });

  it('names each backup file with the database name percent-encoded', async () => {
    const dir = await newDir();
    const args = ['backup', 'single', 'Données', '--backup-dir', dir, '--json', ...myFlags];
    const result = await cli(args);
    expect(result.code, result.stderr).toBe(0);
    expect(String(jsonResult(result).file)).toMatch(/\/Donn%C3%A9es_\d{8}T\d{6}Z\.sql\.zst$/);
  });
});
