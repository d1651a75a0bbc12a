// The shared pieces the UI added: saving the config file, deleting one backup through the
// delete command the browser runs, and running a command with its outcome.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogPathOf, openCatalog } from '../../../src/catalog/open.js';
import { findBackups } from '../../../src/catalog/queries.js';
import { syncCatalog } from '../../../src/catalog/sync.js';
import { journalPathOf } from '../../../src/catalog/journal.js';
import { saveConfigFile } from '../../../src/config/save.js';
import { ExitCode, UserError } from '../../../src/errors.js';
import { LocalTarget } from '../../../src/storage/local/local-target.js';
import { uiCommands } from '../../../src/tui/commands.js';
import { runJob } from '../../../src/tui/job-runner.js';
import { applyTyped } from '../../../src/tui/components/TextInput.js';
import { changesOf } from '../../../src/tui/settings-form.js';
import { summaryOf } from '../../../src/tui/summary.js';
import { writeFakeBackup } from '../../helpers/fake-backups.js';
import { testdir } from '../../helpers/testdir.js';
import { fakeCommand, testEnv } from '../../helpers/tui.js';

describe('saveConfigFile()', () => {
  it('keeps other keys, removes emptied ones, and rewrites a loose file as 0600', async () => {
    const dir = await testdir({
      'config.json': { content: '{"host": "old", "port": 5433, "user": "me"}', mode: 0o644 },
    });
    const path = join(dir, 'config.json');
    const keys = await saveConfigFile({ path, changes: { host: 'db1', port: null, jobs: 4 } });
    expect(keys.sort()).toEqual(['host', 'jobs', 'user']);
    expect(JSON.parse(await fs.readFile(path, 'utf8'))).toEqual({
      host: 'db1',
      user: 'me',
      jobs: 4,
    });
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('creates the directory 0700 and refuses an unknown option', async () => {
    const dir = await testdir();
    const path = join(dir, 'new', 'config.json');
    await saveConfigFile({ path, changes: { compression: 'zstd:5' } });
    expect((await fs.stat(join(dir, 'new'))).mode & 0o777).toBe(0o700);
    await expect(saveConfigFile({ path, changes: { colour: 'red' } })).rejects.toThrow(
      /unknown option\(s\) colour/,
    );
  });
});

describe('delete backup (the browser\u2019s delete)', () => {
  it('removes the data file, its manifest and its catalog row, and leaves the others', async () => {
    const dir = await testdir();
    const old = await writeFakeBackup(dir, { database: 'shop', startedAt: new Date('2026-01-01') });
    const kept = await writeFakeBackup(dir, {
      database: 'shop',
      startedAt: new Date('2026-01-02'),
    });
    const catalog = openCatalog(catalogPathOf(dir, undefined));
    await syncCatalog(catalog, new LocalTarget(dir), journalPathOf(dir));
    catalog.close();

    const { env, home } = testEnv({ DBBACKUP_BACKUP_DIR: dir });
    const outcome = await runJob({
      effects: { env, home, commands: uiCommands },
      request: { command: 'delete backup', args: [old], flags: {} },
      emit: () => undefined,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ status: 'ok', code: 0 });
    const left = (await fs.readdir(dir)).filter((n) => !n.startsWith('.'));
    expect(left.sort()).toEqual([kept, `${kept}.manifest.json`]);
    const reopened = openCatalog(catalogPathOf(dir, undefined));
    expect(findBackups(reopened).map((r) => r.file)).toEqual([kept]);
    reopened.close();
  });

  it('refuses a file without a manifest (66) and deletes nothing', async () => {
    const dir = await testdir({ 'notes.txt': 'keep me' });
    const { env, home } = testEnv({ DBBACKUP_BACKUP_DIR: dir });
    const outcome = await runJob({
      effects: { env, home, commands: uiCommands },
      request: { command: 'delete backup', args: ['notes.txt'], flags: {} },
      emit: () => undefined,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ status: 'failed', code: ExitCode.noInput });
    expect(await fs.readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});

describe('runJob()', () => {
  const signal = new AbortController().signal;
  const run = (command: ReturnType<typeof fakeCommand>, env = testEnv()) =>
    runJob({
      effects: { env: env.env, home: env.home, commands: [command] },
      request: { command: command.name, args: [], flags: {} },
      emit: () => undefined,
      signal,
    });

  it('gives a user error its code, message and hint, with the password redacted', async () => {
    const env = testEnv({ PGPASSWORD: 's3cret-pw' });
    const failing = fakeCommand('status', () => {
      throw new UserError('login failed with s3cret-pw', {
        code: ExitCode.noPermission,
        hint: 'Check the password.',
      });
    });
    const outcome = await run(failing, env);
    expect(outcome).toEqual({
      status: 'failed',
      code: 77,
      message: 'login failed with [redacted]',
      hint: 'Check the password.',
      detail: undefined,
      data: undefined,
    });
  });

  it('reports a bug as an internal error with a hint, never throwing', async () => {
    const buggy = fakeCommand('status', () => {
      throw new TypeError('x is undefined');
    });
    const outcome = await run(buggy);
    expect(outcome).toMatchObject({ status: 'failed', code: 1 });
    expect(outcome.status !== 'ok' && outcome.message).toBe(
      'internal error: TypeError: x is undefined',
    );
  });

  it('fails a name it does not know with 64', async () => {
    const outcome = await runJob({
      effects: { env: {}, commands: [] },
      request: { command: 'nothing', args: [], flags: {} },
      emit: () => undefined,
      signal,
    });
    expect(outcome).toMatchObject({ status: 'failed', code: 64 });
  });
});

describe('small helpers', () => {
  it.each([
    ['abc', 'd', 'abcd'],
    ['abc', '\x7f\x7f', 'a'],
    ['', 'x\x1by', 'xy'],
    ['a', '\b', ''],
  ])('applyTyped(%j, %j) is %j', (text, input, expected) => {
    expect(applyTyped(text, input)).toBe(expected);
  });

  it('turns edited settings into config values, only those changed', () => {
    const before = { host: 'a', port: '5432', recipient: '', jobs: '1', password: '' };
    const after = { host: 'a', port: '', recipient: 'age1x, age1y', jobs: '4', password: 'pw' };
    expect(changesOf(before, after)).toEqual({
      port: null,
      recipient: ['age1x', 'age1y'],
      jobs: 4,
      password: 'pw',
      encrypt: true,
    });
  });

  it('summarises a backup result with file, size, checksum and verified', () => {
    const lines = summaryOf('backup single', {
      file: '/b/x.pgdump.zst',
      sizes: { stored: 2048, dump: 4096 },
      checksum: { value: 'abc' },
      verified: { afterBackup: true },
      encryption: { recipients: [] },
    });
    expect(Object.fromEntries(lines)).toMatchObject({
      file: '/b/x.pgdump.zst',
      size: '2.0 KiB stored, 4.0 KiB dump',
      checksum: 'sha256 abc',
      verified: 'yes, re-read after writing',
      encrypted: 'yes (age)',
    });
  });
});
