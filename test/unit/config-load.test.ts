import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { testdir } from '../helpers/testdir.js';

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('loadConfig()', () => {
  it('takes flags over environment over config file over defaults', async () => {
    const home = await testdir({
      '.config/dbbackup/config.json': JSON.stringify({
        host: 'file-host',
        port: 6000,
        user: 'file-user',
        'backup-dir': '/srv/b',
      }),
    });
    const { values, sources } = await loadConfig({
      flags: { host: 'flag-host' },
      env: { PGHOST: 'env-host', PGPORT: '7000' },
      home,
    });
    expect(values.get('host')).toBe('flag-host');
    expect(sources.get('host')).toBe('flag');
    expect(values.get('port')).toBe(7000);
    expect(sources.get('port')).toBe('env PGPORT');
    expect(values.get('user')).toBe('file-user');
    expect(sources.get('user')).toMatch(/^file .*config\.json$/);
    expect(values.get('compression')).toBe('auto');
    expect(sources.get('compression')).toBe('default');
    expect(values.get('backup-dir')).toBe('/srv/b');
  });

  it('prefers the DBBACKUP_ variable over the vendor one', async () => {
    const home = await testdir();
    const { values, sources } = await loadConfig({
      flags: {},
      env: { DBBACKUP_HOST: 'ours', PGHOST: 'vendor' },
      home,
    });
    expect(values.get('host')).toBe('ours');
    expect(sources.get('host')).toBe('env DBBACKUP_HOST');
  });

  it('reads the vendor variables of the selected engine only', async () => {
    const home = await testdir();
    const env = { PGHOST: 'pg-host', MYSQL_HOST: 'my-host', MYSQL_PWD: 'my-secret' };
    const pg = await loadConfig({ flags: {}, env, home });
    expect(pg.values.get('host')).toBe('pg-host');
    expect(pg.values.has('password')).toBe(false);
    const my = await loadConfig({ flags: { 'db-type': 'mariadb' }, env, home });
    expect(my.values.get('host')).toBe('my-host');
    expect((my.values.get('password') as Secret).reveal()).toBe('my-secret');
  });

  it('expands ~ in the backup directory to the home directory', async () => {
    const home = await testdir();
    const { values } = await loadConfig({ flags: {}, env: {}, home });
    expect(values.get('backup-dir')).toBe(join(home, 'db_backups'));
  });

  it('keeps a password from a private config file as a secret', async () => {
    const home = await testdir({ 'c.json': { content: '{"password": "s3cr3t"}', mode: 0o600 } });
    const { values, sources } = await loadConfig({
      flags: { config: join(home, 'c.json') },
      env: {},
      home,
    });
    const password = values.get('password');
    expect(password).toBeInstanceOf(Secret);
    expect(String(password)).toBe('[redacted]');
    expect(sources.get('password')).toMatch(/^file /);
  });

  it('refuses a config file with a password that others can read', async () => {
    const home = await testdir({ 'c.json': { content: '{"password": "s3cr3t"}', mode: 0o644 } });
    const error = await rejection(
      loadConfig({ flags: { config: join(home, 'c.json') }, env: {}, home }),
    );
    expect(error.code).toBe(ExitCode.config);
    expect(error.message).toContain('mode 644');
    expect(error.hint).toContain('chmod 600');
    expect(error.message).not.toContain('s3cr3t');
  });

  it('accepts a readable config file that holds no password', async () => {
    const home = await testdir({ 'c.json': { content: '{"host": "h"}', mode: 0o644 } });
    const { values } = await loadConfig({ flags: { config: join(home, 'c.json') }, env: {}, home });
    expect(values.get('host')).toBe('h');
  });

  it.each([
    ['not json', '{host:'],
    ['not an object', '[1]'],
    ['an unknown key', '{"hots": "x"}'],
    ['a wrong type', '{"port": "5432"}'],
  ])('refuses a config file with %s (exit 78)', async (_what, content) => {
    const home = await testdir({ 'c.json': content });
    const error = await rejection(
      loadConfig({ flags: { config: join(home, 'c.json') }, env: {}, home }),
    );
    expect(error.code).toBe(ExitCode.config);
    expect(error.hint).toBeDefined();
  });

  it('refuses an explicit config file that does not exist', async () => {
    const home = await testdir();
    const error = await rejection(
      loadConfig({ flags: {}, env: { DBBACKUP_CONFIG: join(home, 'nope.json') }, home }),
    );
    expect(error.code).toBe(ExitCode.config);
  });

  it('refuses a malformed number in the environment', async () => {
    const home = await testdir();
    const error = await rejection(loadConfig({ flags: {}, env: { PGPORT: 'fivefour' }, home }));
    expect(error.code).toBe(ExitCode.config);
    expect(error.message).toContain('PGPORT');
  });

  it('never takes a password from a flag', async () => {
    const home = await testdir();
    const { values } = await loadConfig({ flags: { password: 'oops' }, env: {}, home });
    expect(values.has('password')).toBe(false);
  });
});

describe('a config file that is not valid JSON', () => {
  it.each([
    ['{"password": Secret55}', ''],
    ['Secret55', ''],
    ['{"password": "Secret55",\n  "host": }', ''],
    ['{"a": 1,\n  "password": "Secret55', ' (line 2, column 24)'],
    ['{"url": postgresql://u:Secret55@h/db}', ''],
  ])('is refused without repeating its text: %j', async (text, where) => {
    const home = await testdir({ '.config/dbbackup/config.json': text });
    const error = await rejection(loadConfig({ flags: {}, env: {}, home }));
    expect(error.code).toBe(ExitCode.config);
    expect(error.message).toMatch(/is not valid JSON/);
    if (where !== '') expect(error.message).toContain(where);
    expect(`${error.message} ${error.hint ?? ''}`).not.toContain('Secret55');
  });
});

describe('a config file saved with a byte-order mark', () => {
  it('is read as the JSON after it', async () => {
    const home = await testdir({ '.config/dbbackup/config.json': '\uFEFF{"host": "db1"}' });
    const { values } = await loadConfig({ flags: {}, env: {}, home });
    expect(values.get('host')).toBe('db1');
  });
});
