import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConnectionUrl, urlHasPassword } from '../../src/config/connection-url.js';
import { loadConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { testdir } from '../helpers/testdir.js';

const password = 'p@ss:w/rd?#&$`\'" \\%; =end';
const where = 'environment variable DBBACKUP_URL';

function failure(text: string): UserError {
  try {
    parseConnectionUrl(text, where);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error(`no failure for ${text}`);
}

describe('parseConnectionUrl()', () => {
  it('reads every part of a PostgreSQL URL, the password percent-decoded', () => {
    const url = `postgresql://bkc%20user:${encodeURIComponent(password)}@db1.example:6432/app%20db`;
    expect(parseConnectionUrl(url, where)).toEqual({
      'db-type': 'postgres',
      host: 'db1.example',
      port: 6432,
      user: 'bkc user',
      password,
      database: 'app db',
    });
  });

  it('takes postgres:// too, an IPv6 host without brackets, and leaves absent parts out', () => {
    expect(parseConnectionUrl('postgres://[::1]/', where)).toEqual({
      'db-type': 'postgres',
      host: '::1',
    });
  });

  it('reads a socket directory from the host parameter or a percent-encoded host', () => {
    expect(parseConnectionUrl('postgresql:///app?host=/var/run/postgresql', where)).toEqual({
      'db-type': 'postgres',
      socket: '/var/run/postgresql',
      database: 'app',
    });
    expect(parseConnectionUrl('postgresql://%2Ftmp%2Fpg/app', where)).toMatchObject({
      socket: '/tmp/pg',
    });
  });

  it('reads MySQL and MariaDB URLs, with a socket parameter', () => {
    expect(parseConnectionUrl('mariadb://root@localhost/shop?socket=/run/mysqld/s', where)).toEqual(
      {
        'db-type': 'mariadb',
        host: 'localhost',
        user: 'root',
        database: 'shop',
        socket: '/run/mysqld/s',
      },
    );
    expect(parseConnectionUrl('mysql://u:x@127.0.0.1:3307', where)).toMatchObject({
      'db-type': 'mysql',
      port: 3307,
      password: 'x',
    });
  });

  it('refuses what it cannot honour, never repeating the URL', () => {
    const secret = 'hunter2-secret';
    const cases = [
      [`postgresql://u:${secret}@h/db?sslmode=require`, /parameter 'sslmode'/],
      [`ftp://u:${secret}@h/db`, /unknown scheme/],
      [`postgresql://u:${secret}%zz@h/db`, /badly percent-encoded password/],
      [`postgresql://u:${secret}@h1,h2/db`, /several hosts/],
      [`postgresql://u:${secret}@h/a/b`, /more than one name/],
      [`postgresql://u:${secret}@h/db#x`, /#fragment/],
      [`postgresql://u:${secret}@h/db?port=99999`, /not a port number/],
      [`not a url ${secret}`, /not a valid URL/],
    ] as const;
    for (const [text, message] of cases) {
      const error = failure(text);
      expect(error.message).toMatch(message);
      expect(error.message).toContain(where);
      expect(error.code).toBe(ExitCode.config);
      expect(`${error.message} ${error.hint ?? ''}`).not.toContain(secret);
    }
  });

  it('tells whether a URL holds a password', () => {
    expect(urlHasPassword('postgresql://u:p@h/db')).toBe(true);
    expect(urlHasPassword('postgresql://u@h/db')).toBe(false);
    expect(urlHasPassword('%%%')).toBe(true);
  });
});

describe('loadConfig() with a connection URL', () => {
  it('sets the connection from DBBACKUP_URL, the password as a secret', async () => {
    const home = await testdir();
    const url = `postgresql://alice:${encodeURIComponent(password)}@db1:6432/maint`;
    const { values, sources } = await loadConfig({ flags: {}, env: { DBBACKUP_URL: url }, home });
    expect(values.get('host')).toBe('db1');
    expect(values.get('port')).toBe(6432);
    expect(values.get('user')).toBe('alice');
    expect(values.get('database')).toBe('maint');
    const secret = values.get('password');
    expect(secret).toBeInstanceOf(Secret);
    expect((secret as Secret).reveal()).toBe(password);
    expect(sources.get('host')).toBe('env DBBACKUP_URL');
    expect(String(values.get('url'))).toBe('[redacted]');
  });

  it('yields to flags and to variables of its own rank, and beats the config file', async () => {
    const home = await testdir({
      '.config/dbbackup/config.json': JSON.stringify({ user: 'file-user', port: 1111 }),
    });
    const { values, sources } = await loadConfig({
      flags: { host: 'flag-host' },
      env: { DBBACKUP_URL: 'postgresql://url-user@url-host:2222/db', PGPORT: '3333' },
      home,
    });
    expect(values.get('host')).toBe('flag-host');
    expect(values.get('port')).toBe(3333);
    expect(sources.get('port')).toBe('env PGPORT');
    expect(values.get('user')).toBe('url-user');
  });

  it('does not let a lower-ranked socket or port redirect the server the URL names', async () => {
    const home = await testdir({
      '.config/dbbackup/config.json': JSON.stringify({ socket: '/tmp/elsewhere', port: 5999 }),
    });
    const { values } = await loadConfig({
      flags: {},
      env: { DBBACKUP_URL: 'postgresql://u@127.0.0.1:5432/db' },
      home,
    });
    expect(values.get('host')).toBe('127.0.0.1');
    expect(values.get('port')).toBe(5432);
    expect(values.has('socket')).toBe(false);
    const noPort = await loadConfig({
      flags: {},
      env: { DBBACKUP_URL: 'postgresql://u@127.0.0.1/db' },
      home,
    });
    expect(noPort.values.has('port')).toBe(false);
    expect(noPort.values.has('socket')).toBe(false);
  });

  it('selects the engine from the scheme, with that engine variables', async () => {
    const home = await testdir();
    const { values } = await loadConfig({
      flags: {},
      env: { DBBACKUP_URL: 'mariadb://root@127.0.0.1/shop', MYSQL_PWD: 'pw', PGPASSWORD: 'no' },
      home,
    });
    expect(values.get('db-type')).toBe('mariadb');
    expect((values.get('password') as Secret).reveal()).toBe('pw');
  });

  it('refuses a db-type naming another engine than the URL', async () => {
    const home = await testdir();
    const error = await loadConfig({
      flags: { 'db-type': 'mysql' },
      env: { DBBACKUP_URL: 'postgresql://u:secretpw@h/db' },
      home,
    }).then(
      () => undefined,
      (e: unknown) => e as UserError,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error?.code).toBe(ExitCode.config);
    expect(error?.message).toMatch(/for postgres but db-type is mysql/);
    expect(error?.message).not.toContain('secretpw');
  });

  it('refuses a config file whose url holds a password unless it is 0600', async () => {
    const home = await testdir({
      '.config/dbbackup/config.json': JSON.stringify({ url: 'postgresql://u:pw@h/db' }),
    });
    const path = join(home, '.config/dbbackup/config.json');
    await fs.chmod(path, 0o644);
    const error = await loadConfig({ flags: {}, env: {}, home }).then(
      () => undefined,
      (e: unknown) => e as UserError,
    );
    expect(error?.code).toBe(ExitCode.config);
    expect(error?.hint).toMatch(/chmod 600/);
    await fs.chmod(path, 0o600);
    const { values } = await loadConfig({ flags: {}, env: {}, home });
    expect(values.get('host')).toBe('h');
  });

  it('accepts a 0644 config file whose url has no password', async () => {
    const home = await testdir({
      '.config/dbbackup/config.json': JSON.stringify({ url: 'postgresql://u@h/db' }),
    });
    await fs.chmod(join(home, '.config/dbbackup/config.json'), 0o644);
    const { values } = await loadConfig({ flags: {}, env: {}, home });
    expect(values.get('user')).toBe('u');
  });
});

describe('parseConnectionUrl() edge cases', () => {
  it('takes a user with an empty host, as libpq does, and ignores empty parameters', () => {
    expect(parseConnectionUrl('postgresql://bob@/app?host=/run/pg&port=', where)).toEqual({
      'db-type': 'postgres',
      user: 'bob',
      socket: '/run/pg',
      database: 'app',
    });
    expect(parseConnectionUrl('postgresql://bob:pw@', where)).toEqual({
      'db-type': 'postgres',
      user: 'bob',
      password: 'pw',
    });
    expect(parseConnectionUrl('postgresql://h/db?host=', where)).toMatchObject({ host: 'h' });
  });

  it('refuses a MySQL URL naming both a host and a socket', () => {
    expect(failure('mysql://root@127.0.0.1:3306/?socket=/x.sock').message).toMatch(
      /both a host and a socket/,
    );
  });
});

describe('a password no tool can take', () => {
  it('is refused (78) when it holds a NUL byte, without printing it', async () => {
    const home = await testdir();
    const error = await loadConfig({
      flags: {},
      env: { DBBACKUP_URL: 'postgresql://root:Top%00SecretH@127.0.0.1/postgres' },
      home,
    }).then(
      () => undefined,
      (e: unknown) => e as UserError,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error?.code).toBe(ExitCode.config);
    expect(error?.message).toMatch(/password \(env DBBACKUP_URL\) contains a NUL byte/);
    expect(`${error?.message ?? ''} ${error?.hint ?? ''}`).not.toContain('Secret');
  });
});
