// TLS: the driver takes PGSSLMODE, PGSSLROOTCERT… as libpq does, against a server that accepts
// only encrypted TCP connections and against the local one, which offers no TLS at all.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, listDir, tempDir, userErrorShape } from '../helpers/pg-case.js';
import { startPgInstance, type PgInstance } from '../helpers/pg-instance.js';
import { jsonResult } from '../helpers/run-cli.js';

const password = 'tls-Passw0rd';
const dirs: string[] = [];
let pg: PgInstance;
let otherCa: string;
let restores = 0;

beforeAll(async () => {
  pg = await startPgInstance({ ssl: { only: true } });
  await pg.psql('postgres', { sql: `ALTER ROLE root PASSWORD '${password}'` });
  await pg.psql('postgres', { sql: 'CREATE DATABASE tlsdb' });
  await pg.psql('tlsdb', {
    sql: 'CREATE TABLE t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 5000) g',
  });
  // A CA that did not sign the server's certificate.
  const other = await startPgInstance({ ssl: { only: false } });
  const dir = await newDir();
  otherCa = join(dir, 'other-ca.crt');
  await fs.copyFile(other.caFile ?? '', otherCa);
  await other.stop();
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

const tcp = () => ['--host', '127.0.0.1', '--port', String(pg.port), '--user', 'root'];

/** Backs tlsdb up and restores it into a new database over TCP with these variables. */
async function roundTrip(env: NodeJS.ProcessEnv): Promise<void> {
  const dir = await newDir();
  const options = { env: { PGPASSWORD: password, ...env } };
  const backup = await cli(
    ['backup', 'single', 'tlsdb', '--backup-dir', dir, '--json', ...tcp()],
    options,
  );
  expect(backup.code, backup.stderr).toBe(0);
  restores += 1;
  const target = `tls_restored_${restores}`;
  const file = String(jsonResult(backup).file);
  const restore = await cli(
    ['restore', 'single', file, '--target', target, '--create', '--confirm', ...tcp()],
    options,
  );
  expect(restore.code, restore.stderr).toBe(0);
  expect(await pg.psql(target, { sql: 'SELECT count(*) FROM t' })).toBe('5000\n');
}

describe('a server that accepts only TLS on TCP', () => {
  it('round-trips with PGSSLMODE unset (libpq default prefer)', async () => {
    await roundTrip({});
  });

  it('round-trips with allow: refused without TLS, the second attempt uses it', async () => {
    await roundTrip({ PGSSLMODE: 'allow' });
  });

  it('round-trips with verify-full against the CA that signed the server certificate', async () => {
    await roundTrip({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: pg.caFile ?? '' });
  });

  it('refuses a certificate another CA signed (78, hint), writing nothing', async () => {
    const dir = await newDir();
    for (const mode of ['verify-ca', 'verify-full', 'require']) {
      const result = await cli(['backup', 'single', 'tlsdb', '--backup-dir', dir, ...tcp()], {
        env: { PGPASSWORD: password, PGSSLMODE: mode, PGSSLROOTCERT: otherCa },
      });
      expect(result.code, `${mode}: ${result.stderr}`).toBe(78);
      const shape = userErrorShape(result.stderr);
      expect(shape.error).toMatch(/certificate/i);
      expect(shape.hint).toMatch(/PGSSLROOTCERT/);
      expect(shape.stack).toBe(false);
    }
    expect(await listDir(dir)).toEqual([]);
  });

  it('fails with 77 and the server message with PGSSLMODE=disable', async () => {
    const dir = await newDir();
    const result = await cli(['backup', 'single', 'tlsdb', '--backup-dir', dir, ...tcp()], {
      env: { PGPASSWORD: password, PGSSLMODE: 'disable' },
    });
    expect(result.code, result.stderr).toBe(77);
    expect(userErrorShape(result.stderr).error).toMatch(/no pg_hba\.conf entry.*no encryption/);
    expect(await listDir(dir)).toEqual([]);
  });

  it('asks for a root certificate with verify-ca when none is there (78)', async () => {
    const result = await cli(['status', ...tcp()], {
      env: { PGPASSWORD: password, PGSSLMODE: 'verify-ca' },
    });
    expect(result.code).toBe(78);
    expect(result.stdout + result.stderr).toMatch(/needs a root certificate/);
  });
});

describe('the local server, which offers no TLS', () => {
  it('connects over TCP with prefer and allow, as libpq does', async () => {
    for (const mode of ['prefer', 'allow', 'disable']) {
      const result = await cli(['list', 'databases', '--host', '127.0.0.1'], {
        env: { PGSSLMODE: mode },
      });
      expect(result.code, `${mode}: ${result.stderr}`).toBe(0);
    }
  });

  it('says the server has no TLS when it is required (78, one line, no stack)', async () => {
    const result = await cli(['list', 'databases', '--host', '127.0.0.1'], {
      env: { PGSSLMODE: 'require' },
    });
    expect(result.code).toBe(78);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/does not support SSL/);
    expect(shape.hint).toMatch(/PGSSLMODE/);
    expect(shape.stack).toBe(false);
  });

  it('refuses an unknown or empty PGSSLMODE (78), as libpq does, also for the socket', async () => {
    for (const [mode, where] of [
      ['bogus', ['--host', '127.0.0.1']],
      ['', ['--host', '127.0.0.1']],
      ['', []],
    ] as const) {
      const result = await cli(['list', 'databases', ...where], { env: { PGSSLMODE: mode } });
      expect(result.code, `'${mode}' ${where.join(' ')}`).toBe(78);
      expect(userErrorShape(result.stderr).error).toContain(`invalid PGSSLMODE '${mode}'`);
    }
  });
});
