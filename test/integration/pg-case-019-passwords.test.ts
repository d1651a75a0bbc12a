// Case 019: a password full of shell, URI and .pgpass characters, against a scram-sha-256 server.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseDir,
  cli,
  listDir,
  tempDir,
  userErrorShape,
  type CliOptions,
} from '../helpers/pg-case.js';
import { startPgInstance, type PgInstance } from '../helpers/pg-instance.js';
import { sampleCommandLines } from '../helpers/proc-sampler.js';
import { jsonResult } from '../helpers/run-cli.js';

const dirs: string[] = [];
let pg: PgInstance;
let password: string;
let connection: string[];
let targets = 0;

beforeAll(async () => {
  const setup = join(await caseDir('019'), 'setup.sql');
  // The password exactly as setup.sql sets it, between its $pw$ quotes.
  password = /\$pw\$(.*)\$pw\$/.exec(await fs.readFile(setup, 'utf8'))?.[1] ?? '';
  expect(password).toContain('=end');

  pg = await startPgInstance();
  await pg.psql('postgres', { sql: 'CREATE DATABASE pwdb' });
  await pg.psql('pwdb', { file: setup });
  // Enough rows that pg_dump and pg_restore live long enough to be sampled in /proc.
  await pg.psql('pwdb', {
    sql:
      'CREATE TABLE filler AS SELECT g, md5(g::text) AS h FROM generate_series(1, 200000) g; ' +
      'ALTER TABLE filler OWNER TO bkc_pw_user',
  });
  connection = ['--host', pg.host, '--port', String(pg.port), '--user', 'bkc_pw_user'];
}, 120_000);

afterAll(async () => {
  await pg?.stop();
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

async function newDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

/** `\` and `:` escaped, as a .pgpass field needs them. */
function pgpassField(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

async function writePrivate(path: string, text: string, mode = 0o600): Promise<void> {
  await fs.writeFile(path, text, { mode });
  await fs.chmod(path, mode);
}

/**
 * Backs up pwdb and restores it into a new database as bkc_pw_user over TCP, sampling every
 * process's command line meanwhile; checks the result and that the password showed nowhere.
 */
async function roundTrip(
  options: CliOptions,
  extraArgs: string[] = [],
  connectArgs: string[] = connection,
): Promise<void> {
  const dir = await newDir();
  targets += 1;
  const target = `pw_restored_${targets}`;
  await pg.psql('postgres', { sql: `CREATE DATABASE ${target} OWNER bkc_pw_user` });

  const sampler = sampleCommandLines([password, pgpassField(password)]);
  let backup, restore;
  try {
    backup = await cli(
      ['backup', 'single', 'pwdb', '--backup-dir', dir, '--json', ...connectArgs, ...extraArgs],
      options,
    );
    expect(backup.code, backup.stderr).toBe(0);
    const file = String(jsonResult(backup).file);
    restore = await cli(
      ['restore', 'single', file, '--target', target, '--confirm', ...connectArgs, ...extraArgs],
      options,
    );
    expect(restore.code, restore.stderr).toBe(0);
  } finally {
    const report = await sampler.stop();
    expect(report.leaks).toEqual([]);
    expect(report.passes).toBeGreaterThan(10);
    expect([...report.programs]).toEqual(expect.arrayContaining(['pg_dump', 'pg_restore']));
  }

  expect(await pg.psql(target, { sql: 'SELECT count(*) FROM pw_probe' })).toBe('2\n');
  const printed = backup.stdout + backup.stderr + restore.stdout + restore.stderr;
  expect(printed).not.toContain(password);
  for (const name of await fs.readdir(dir)) {
    if (!name.endsWith('.manifest.json')) continue;
    expect(await fs.readFile(join(dir, name), 'utf8')).not.toContain(password);
  }
}

describe('case 019: passwords with special characters', () => {
  it('has a sampler that does catch a password on a command line', async () => {
    const sampler = sampleCommandLines([password]);
    await promisify(execFile)('sh', ['-c', 'sleep 0.3', 'sh', password]);
    const report = await sampler.stop();
    // One planted process; a loaded machine may show it twice (read while sh was starting).
    expect(report.leaks.length).toBeGreaterThanOrEqual(1);
    for (const leak of report.leaks) expect(leak).toMatch(/^\d+: sh -c sleep 0\.3 sh p@ss/);
    expect(report.programs).toContain('sleep');
  });

  it('works with the password in PGPASSWORD, never on a command line', async () => {
    await roundTrip({ env: { PGPASSWORD: password } });
  });

  it('works with the password in a 0600 config file', async () => {
    const dir = await newDir();
    const config = join(dir, 'config.json');
    await writePrivate(config, JSON.stringify({ password }));
    await roundTrip({}, ['--config', config]);
  });

  it('refuses the config file when it is 0644 (exit 78), before connecting', async () => {
    const dir = await newDir();
    const config = join(dir, 'config.json');
    await writePrivate(config, JSON.stringify({ password }), 0o644);
    const result = await cli([
      'backup',
      'single',
      'pwdb',
      '--backup-dir',
      dir,
      '--config',
      config,
      ...connection,
    ]);
    expect(result.code).toBe(78);
    expect(userErrorShape(result.stderr).hint).toMatch(/chmod 600/);
    expect(result.stderr).not.toContain(password);
    expect(await fs.readdir(dir)).toEqual(['config.json']);
  });

  it('works with ~/.pgpass holding the password with `\\:` and `\\\\` escaped', async () => {
    const home = await newDir();
    const line = `${pg.host}:${pg.port}:*:bkc_pw_user:${pgpassField(password)}\n`;
    await writePrivate(join(home, '.pgpass'), line);
    await roundTrip({ home });
  });

  it('works with PGPASSFILE naming such a file', async () => {
    const dir = await newDir();
    const file = join(dir, 'pgpass');
    await writePrivate(file, `*:*:*:bkc_pw_user:${pgpassField(password)}\n`);
    await roundTrip({ env: { PGPASSFILE: file } });
  });

  it('fails with 77 when the .pgpass line is not escaped', async () => {
    const home = await newDir();
    await writePrivate(join(home, '.pgpass'), `${pg.host}:${pg.port}:*:bkc_pw_user:${password}\n`);
    const dir = await newDir();
    const result = await cli(['backup', 'single', 'pwdb', '--backup-dir', dir, ...connection], {
      home,
    });
    expect(result.code).toBe(77);
    expect(await listDir(dir)).toEqual([]);
  });

  it('fails with 77 on a wrong password, with a hint and without echoing it', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const dir = await newDir();
    const result = await cli(['backup', 'single', 'pwdb', '--backup-dir', dir, ...connection], {
      env: { PGPASSWORD: wrong },
    });
    expect(result.code).toBe(77);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/password authentication failed for user "bkc_pw_user"/);
    expect(shape.hint).toMatch(/password/);
    expect(shape.stack).toBe(false);
    expect(result.stderr).not.toContain(wrong);
    expect(await listDir(dir)).toEqual([]);
  });

  it('fails with 77 when no password is given at all', async () => {
    const dir = await newDir();
    const result = await cli(['backup', 'single', 'pwdb', '--backup-dir', dir, ...connection]);
    expect(result.code).toBe(77);
    expect(userErrorShape(result.stderr).hint).not.toBe('');
  });

  // The whole connection from one percent-encoded URI, in the environment: no flag at all.
  it('works with the password in a percent-encoded URI in DBBACKUP_URL', async () => {
    const url = `postgresql://bkc_pw_user:${encodeURIComponent(password)}@${pg.host}:${pg.port}/pwdb`;
    await roundTrip({ env: { DBBACKUP_URL: url } }, [], []);
  });

  it('works with such a URI in a 0600 config file, and shows neither in config show', async () => {
    const dir = await newDir();
    const config = join(dir, 'config.json');
    const url = `postgresql://bkc_pw_user:${encodeURIComponent(password)}@${pg.host}:${pg.port}/pwdb`;
    await writePrivate(config, JSON.stringify({ url }));
    await roundTrip({}, ['--config', config], []);
    const shown = await cli(['config', 'show', '--config', config, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(pg.host);
    expect(shown.stdout).not.toContain(password);
    expect(shown.stdout).not.toContain(encodeURIComponent(password));
  });

  it('fails with 77 on a URI with a wrong password, without echoing the URI', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const dir = await newDir();
    const url = `postgresql://bkc_pw_user:${wrong}@${pg.host}:${pg.port}/pwdb`;
    const result = await cli(['backup', 'single', 'pwdb', '--backup-dir', dir], {
      env: { DBBACKUP_URL: url },
    });
    expect(result.code).toBe(77);
    expect(result.stderr).not.toContain(wrong);
    expect(await listDir(dir)).toEqual([]);
  });
});
