// Configuration through the real CLI: flags over environment over config file over defaults.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, userErrorShape } from '../helpers/pg-case.js';
import { jsonResult } from '../helpers/run-cli.js';

interface Row {
  option: string;
  value: string;
  source: string;
}

let home: string;

beforeAll(async () => {
  home = await tempDir('dbbackup-home-');
});

afterAll(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

async function writeConfig(name: string, values: object, mode = 0o600): Promise<string> {
  const path = join(home, name);
  await fs.writeFile(path, JSON.stringify(values), { mode });
  await fs.chmod(path, mode);
  return path;
}

async function show(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = await cli(['config', 'show', '--json', ...args], { env, home });
  expect(result.code, result.stderr).toBe(0);
  const data = jsonResult(result) as { configFile: string | null; options: Row[] };
  const byKey = new Map(data.options.map((row) => [row.option, row]));
  return { data, byKey, result };
}

describe('config show', () => {
  it('takes flags over environment over config file over defaults', async () => {
    const config = await writeConfig('layers.json', {
      host: 'file-host',
      port: 6001,
      user: 'file-user',
      'backup-dir': '/srv/file-dir',
    });
    const { data, byKey } = await show(['--config', config, '--host', 'flag-host'], {
      PGHOST: 'env-host',
      PGPORT: '7001',
    });

    expect(data.configFile).toBe(config);
    expect(byKey.get('host')).toEqual({ option: 'host', value: 'flag-host', source: 'flag' });
    expect(byKey.get('port')).toEqual({ option: 'port', value: '7001', source: 'env PGPORT' });
    expect(byKey.get('user')).toEqual({
      option: 'user',
      value: 'file-user',
      source: `file ${config}`,
    });
    expect(byKey.get('backup-dir')?.source).toBe(`file ${config}`);
    expect(byKey.get('compression')).toEqual({
      option: 'compression',
      value: 'auto',
      source: 'default',
    });
  });

  it('prefers the DBBACKUP_ variable over the PG one and the file over the default', async () => {
    const config = await writeConfig('compression.json', { compression: 'gzip:9' });
    const { byKey } = await show([], {
      DBBACKUP_CONFIG: config,
      DBBACKUP_HOST: 'dbbackup-host',
      PGHOST: 'pg-host',
    });
    expect(byKey.get('host')).toMatchObject({
      value: 'dbbackup-host',
      source: 'env DBBACKUP_HOST',
    });
    expect(byKey.get('compression')).toMatchObject({ value: 'gzip:9', source: `file ${config}` });
  });

  it('reads the default location under HOME and expands ~ in paths', async () => {
    await fs.mkdir(join(home, '.config', 'dbbackup'), { recursive: true });
    const path = join(home, '.config', 'dbbackup', 'config.json');
    await fs.writeFile(path, JSON.stringify({ 'backup-dir': '~/from-file' }), { mode: 0o600 });
    try {
      const { data, byKey } = await show([]);
      expect(data.configFile).toBe(path);
      expect(byKey.get('backup-dir')?.value).toBe(join(home, 'from-file'));
    } finally {
      await fs.rm(path);
    }
  });

  it('shows a password from the environment or a 0600 file only as [redacted]', async () => {
    const secret = 'hunter2-very-secret';
    const fromEnv = await show([], { PGPASSWORD: secret });
    expect(fromEnv.byKey.get('password')).toMatchObject({
      value: '[redacted]',
      source: 'env PGPASSWORD',
    });
    expect(fromEnv.result.stdout + fromEnv.result.stderr).not.toContain(secret);

    const config = await writeConfig('private.json', { password: secret });
    const fromFile = await show(['--config', config]);
    expect(fromFile.byKey.get('password')).toMatchObject({
      value: '[redacted]',
      source: `file ${config}`,
    });
    expect(fromFile.result.stdout + fromFile.result.stderr).not.toContain(secret);
  });

  it('refuses a config file with a password and mode 0644 (exit 78)', async () => {
    const config = await writeConfig('open.json', { password: 'not-private' }, 0o644);
    const result = await cli(['config', 'show', '--config', config], { home });
    expect(result.code).toBe(78);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/holds a password but has mode 644/);
    expect(shape.hint).toMatch(/chmod 600/);
    expect(shape.stack).toBe(false);
    expect(result.stderr).not.toContain('not-private');
  });

  it('accepts a 0644 config file without a password', async () => {
    const config = await writeConfig('public.json', { host: 'db1' }, 0o644);
    const { byKey } = await show(['--config', config]);
    expect(byKey.get('host')).toMatchObject({ value: 'db1', source: `file ${config}` });
  });

  it.each([
    ['not JSON', '{ host: db1', /not valid JSON/],
    ['an unknown option', '{"hostname": "db1"}', /unknown option\(s\) hostname/],
    ['a wrong type', '{"port": "5432"}', /'port' .* must be a number/],
  ])('refuses a config file with %s (exit 78)', async (_what, text, pattern) => {
    const path = join(home, 'bad.json');
    await fs.writeFile(path, text, { mode: 0o600 });
    const result = await cli(['config', 'show', '--config', path], { home });
    expect(result.code).toBe(78);
    expect(userErrorShape(result.stderr)).toMatchObject({
      error: expect.stringMatching(pattern) as string,
    });
  });

  it('fails with 78 when an explicit config file is missing', async () => {
    const result = await cli(['config', 'show', '--config', join(home, 'absent.json')], { home });
    expect(result.code).toBe(78);
    expect(userErrorShape(result.stderr).hint).not.toBe('');
  });
});
