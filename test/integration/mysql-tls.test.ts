// TLS on MariaDB: the driver takes the [client] TLS options of ~/.my.cnf that the dump and client
// tools read, against a server that refuses unencrypted TCP (require_secure_transport).
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, listDir, tempDir, userErrorShape } from '../helpers/pg-case.js';
import { startMyInstance, type MyInstance } from '../helpers/my-instance.js';
import { jsonResult } from '../helpers/run-cli.js';

const password = 'tls-Passw0rd';
const dirs: string[] = [];
let my: MyInstance;
let otherCa: string;

beforeAll(async () => {
  my = await startMyInstance({ tlsOnly: true });
  await my.query("CREATE USER 'tls_user'@'%' IDENTIFIED BY ?", [password]);
  await my.query("GRANT ALL PRIVILEGES ON *.* TO 'tls_user'@'%'");
  await my.query('CREATE DATABASE tlsdb');
  await my.sql(
    'tlsdb',
    'CREATE TABLE t (id INT PRIMARY KEY, h CHAR(32)); ' +
      'INSERT INTO t SELECT seq, MD5(seq) FROM seq_1_to_3000;',
  );
  // A CA that did not sign the server's certificate.
  const other = await startMyInstance({ tlsOnly: true });
  otherCa = join(await newDir(), 'other-ca.crt');
  await fs.copyFile(other.caFile ?? '', otherCa);
  await other.stop();
}, 180_000);

afterAll(async () => {
  await my?.stop();
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

async function newDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

/** A home whose ~/.my.cnf holds these [client] lines (0600, as the tools want it). */
async function homeWith(lines: string[]): Promise<string> {
  const home = await newDir();
  const file = join(home, '.my.cnf');
  await fs.writeFile(file, `[client]\n${lines.join('\n')}\n`, { mode: 0o600 });
  return home;
}

const tcp = () => [
  ...['--db-type', 'mariadb', '--host', '127.0.0.1', '--port', String(my.port)],
  ...['--user', 'tls_user'],
];
const env = { MYSQL_PWD: password };

describe('a MariaDB server that refuses unencrypted TCP', () => {
  it('backs up and restores with ssl-ca and ssl-verify-server-cert in ~/.my.cnf', async () => {
    const home = await homeWith([`ssl-ca=${my.caFile ?? ''}`, 'ssl-verify-server-cert']);
    const dir = await newDir();
    const backup = await cli(
      ['backup', 'single', 'tlsdb', '--backup-dir', dir, '--json', ...tcp()],
      { env, home },
    );
    expect(backup.code, backup.stderr).toBe(0);
    const file = String(jsonResult(backup).file);
    const restore = await cli(
      ['restore', 'single', file, '--target', 'tls_copy', '--create', '--confirm', ...tcp()],
      { env, home },
    );
    expect(restore.code, restore.stderr).toBe(0);
    expect(await my.query('SELECT COUNT(*) AS n FROM tls_copy.t')).toEqual([{ n: '3000' }]);
  });

  it('also with plain `ssl` (encrypted, certificate not checked)', async () => {
    const home = await homeWith(['ssl']);
    const result = await cli(['list', 'databases', ...tcp()], { env, home });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/tlsdb/);
  });

  it('without TLS options: 77, the server refusal and a hint naming ~/.my.cnf', async () => {
    const dir = await newDir();
    const result = await cli(['backup', 'single', 'tlsdb', '--backup-dir', dir, ...tcp()], {
      env,
    });
    expect(result.code, result.stderr).toBe(77);
    const shape = userErrorShape(result.stderr);
    // MariaDB 10.11 refuses an unencrypted login to a TLS-only server as a wrong password.
    expect(shape.error).toMatch(/Access denied|insecure transport/i);
    expect(shape.hint).toMatch(/ssl-ca/);
    expect(await listDir(dir)).toEqual([]);
  });

  it('refuses a certificate another CA signed: 78 with a hint, nothing written', async () => {
    const home = await homeWith([`ssl-ca=${otherCa}`, 'ssl-verify-server-cert']);
    const dir = await newDir();
    const result = await cli(['backup', 'single', 'tlsdb', '--backup-dir', dir, ...tcp()], {
      env,
      home,
    });
    expect(result.code, result.stderr).toBe(78);
    const shape = userErrorShape(result.stderr);
    expect(shape.hint).toMatch(/~\/\.my\.cnf/);
    expect(shape.stack).toBe(false);
    expect(await listDir(dir)).toEqual([]);
  });
});

describe('the local MariaDB, which offers no TLS', () => {
  it("fails with 78 naming MySQL's ssl-mode, which the MariaDB tools do not know", async () => {
    const home = await homeWith(['ssl-mode=DISABLED']);
    const dir = await newDir();
    const result = await cli(
      ['backup', 'single', 'mysql', '--backup-dir', dir, '--db-type', 'mariadb'],
      { home },
    );
    expect(result.code, result.stderr).toBe(78);
    expect(userErrorShape(result.stderr).hint).toMatch(/'ssl-mode'.*ssl-verify-server-cert/);
    expect(await listDir(dir)).toEqual([]);
  });

  it('connects without TLS under `ssl` alone, as the MariaDB tools do', async () => {
    const home = await homeWith(['ssl']);
    const result = await cli(['list', 'databases', '--db-type', 'mariadb', '--host', '127.0.0.1'], {
      home,
    });
    expect(result.code, result.stderr).toBe(0);
  });

  it('fails with 78 and a hint when ~/.my.cnf requires TLS (ssl-verify-server-cert)', async () => {
    const home = await homeWith(['ssl-verify-server-cert']);
    const result = await cli(['list', 'databases', '--db-type', 'mariadb', '--host', '127.0.0.1'], {
      home,
    });
    expect(result.code, result.stderr).toBe(78);
    expect(userErrorShape(result.stderr).error).toMatch(/does not support secure/i);
  });
});
