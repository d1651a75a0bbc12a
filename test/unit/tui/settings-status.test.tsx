// The settings screen writes the CLI's config file (0600) and never a password unasked; the
// status screen shows the `status` result.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ExitCode } from '../../../src/errors.js';
import {
  appWith,
  effectsWith,
  fakeCommand,
  keys,
  settle,
  testEnv,
  waitForFrame,
} from '../../helpers/tui.js';

afterEach(() => cleanup());

async function openSettings() {
  const env = testEnv();
  const view = render(appWith(effectsWith([], env)));
  await waitForFrame(view.lastFrame, 'PostgreSQL');
  view.stdin.write('8');
  await waitForFrame(view.lastFrame, 'config file');
  const path = join(env.home, '.config', 'dbbackup', 'config.json');
  return { ...view, env, path };
}

async function editField(
  view: { stdin: { write: (s: string) => void }; lastFrame: () => string | undefined },
  downs: number,
  text: string,
) {
  for (let i = 0; i < downs; i += 1) view.stdin.write(keys.down);
  await settle();
  view.stdin.write(keys.enter);
  await settle();
  view.stdin.write(text);
  await settle();
  view.stdin.write(keys.enter);
  await settle();
}

describe('SettingsScreen', () => {
  it('saves changed settings to the config file with mode 0600, and the CLI reads them', async () => {
    const view = await openSettings();
    await editField(view, 1, 'db1.example');
    await editField(view, 7, 'age1qqqexample');
    view.stdin.write('s');
    const frame = await waitForFrame(view.lastFrame, 'saved host, recipient, encrypt');
    expect(frame.replace(/\s+/g, ' ')).toContain('(mode 0600)');
    await waitForFrame(view.lastFrame, 'PostgreSQL · db1.example');

    const info = await fs.stat(view.path);
    expect(info.mode & 0o777).toBe(0o600);
    expect(JSON.parse(await fs.readFile(view.path, 'utf8'))).toEqual({
      host: 'db1.example',
      recipient: ['age1qqqexample'],
      encrypt: true,
    });
    const config = await loadConfig({ flags: {}, env: view.env.env, home: view.env.home });
    expect(config.values.get('host')).toBe('db1.example');
    expect(config.values.get('encrypt')).toBe(true);
  });

  it('leaves a typed password out of the file unless "store" is typed', async () => {
    const view = await openSettings();
    await editField(view, 11, 'hunter2');
    expect(view.lastFrame()).toContain('•••••••');
    expect(view.lastFrame()).not.toContain('hunter2');
    view.stdin.write('s');
    await waitForFrame(view.lastFrame, 'stored in plain text');
    view.stdin.write('no');
    await settle();
    view.stdin.write(keys.enter);
    await waitForFrame(view.lastFrame, 'nothing changed');
    await expect(fs.stat(view.path)).rejects.toThrow();

    await editField(view, 0, 'hunter2');
    view.stdin.write('s');
    await waitForFrame(view.lastFrame, 'stored in plain text');
    view.stdin.write('store');
    await settle();
    view.stdin.write(keys.enter);
    await waitForFrame(view.lastFrame, 'saved password');
    expect(JSON.parse(await fs.readFile(view.path, 'utf8'))).toEqual({ password: 'hunter2' });
    expect((await fs.stat(view.path)).mode & 0o777).toBe(0o600);
  });

  it('refuses a port that is not a whole number', async () => {
    const view = await openSettings();
    await editField(view, 2, 'abc');
    view.stdin.write('s');
    await waitForFrame(view.lastFrame, 'not saved: port must be a whole number');
  });
});

describe('StatusScreen', () => {
  it('marks the server, each client tool and the backup directory OK or FAIL', async () => {
    const status = fakeCommand('status', (ctx) => {
      ctx.output.result(
        {
          command: 'status',
          ok: false,
          server: { reachable: true, flavour: 'postgresql', version: '15.4', host: 'db1:5432' },
          tools: [
            { name: 'pg_dump', version: '15.4', fits: true },
            { name: 'pg_restore', version: '13.1', fits: false, note: 'older than the server' },
          ],
          backupDir: { path: '/backups', writable: true, freeBytes: 5 * 1024 ** 3 },
        },
        [],
      );
      return ExitCode.config;
    });
    const { lastFrame, stdin } = render(appWith(effectsWith([status])));
    await waitForFrame(lastFrame, 'PostgreSQL');
    stdin.write('7');
    const frame = await waitForFrame(lastFrame, 'backup dir /backups');
    expect(frame).toContain('OK   server postgresql 15.4 at db1:5432');
    expect(frame).toContain('OK   pg_dump 15.4');
    expect(frame).toContain('FAIL pg_restore 13.1: older than the server');
    expect(frame).toContain('writable, 5.0 GiB free');
    stdin.write(keys.escape);
    await waitForFrame(lastFrame, 'What do you want to do?');
  });
});
