// The main menu, the header and the database picker, driven by keys.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Menu, menuEntries } from '../../../src/tui/components/Menu.js';
import {
  appWith,
  effectsWith,
  failingCommand,
  keys,
  resultCommand,
  settle,
  testEnv,
  waitForFrame,
} from '../../helpers/tui.js';
import { cleanup } from 'ink-testing-library';

afterEach(() => cleanup());

const databases = resultCommand('list databases', () => ({
  databases: [
    { name: 'shop', sizeBytes: 10 * 1024 * 1024 },
    { name: 'sales', sizeBytes: 2048 },
    { name: 'Shop Archive', sizeBytes: 5 },
  ],
}));

describe('Menu', () => {
  it('lists every job and quit', () => {
    const { lastFrame } = render(<Menu onChoose={() => undefined} width={80} height={20} />);
    for (const label of [
      'Back up one database',
      'Back up the whole server',
      'Restore one database',
      'Restore a whole server',
      'Verify a backup',
      'Browse backups',
      'Server status',
      'Settings',
      'Quit',
    ]) {
      expect(lastFrame()).toContain(label);
    }
    expect(menuEntries).toHaveLength(9);
  });

  it('chooses with the arrows and Enter, with a digit, and quits with q or Ctrl+C', async () => {
    const onChoose = vi.fn();
    const { stdin, lastFrame } = render(<Menu onChoose={onChoose} width={80} height={20} />);
    await settle();
    // Two keys in a row, faster than a redraw: both count.
    stdin.write(keys.down);
    stdin.write(keys.down);
    await waitForFrame(lastFrame, '› 3.');
    stdin.write(keys.enter);
    await settle();
    stdin.write('6');
    await settle();
    stdin.write('q');
    await settle();
    stdin.write(keys.ctrlC);
    await settle();
    expect(onChoose.mock.calls).toEqual([['restore-single'], ['browse'], ['quit'], ['quit']]);
  });
});

describe('App header', () => {
  it('shows the engine, host, user and backup directory in use', async () => {
    const env = testEnv({
      DBBACKUP_DB_TYPE: 'mariadb',
      DBBACKUP_HOST: '127.0.0.1',
      MYSQL_USER: 'ops',
    });
    const { lastFrame } = render(appWith(effectsWith([], env)));
    const frame = await waitForFrame(lastFrame, 'MariaDB/MySQL');
    expect(frame).toContain('127.0.0.1');
    expect(frame).toContain(env.env.DBBACKUP_BACKUP_DIR);
    expect(frame).toContain('What do you want to do?');
  });
});

describe('DatabasePicker', () => {
  it('shows sizes, filters as one types, and backs up the chosen database', async () => {
    const started: string[] = [];
    const backup = resultCommand('backup single', (args) => {
      started.push(args[0] ?? '');
      return { file: '/b/x.pgdump.zst', sizes: { stored: 1, dump: 2 }, checksum: { value: 'ab' } };
    });
    const { lastFrame, stdin } = render(appWith(effectsWith([databases, backup])));
    await waitForFrame(lastFrame, 'PostgreSQL');
    stdin.write('1');
    const listed = await waitForFrame(lastFrame, 'Shop Archive');
    expect(listed).toContain('10.0 MiB');
    expect(listed).toContain('2.0 KiB');

    stdin.write('s');
    await settle();
    stdin.write('h');
    await settle();
    const filtered = await waitForFrame(lastFrame, 'filter: sh');
    expect(filtered).toContain('› shop');
    expect(filtered).toContain('Shop Archive');
    expect(filtered).not.toContain('sales');

    stdin.write(keys.down);
    await settle();
    stdin.write(keys.enter);
    await waitForFrame(lastFrame, 'backup single complete');
    expect(started).toEqual(['Shop Archive']);
  });

  it('switches the engine with Tab and lists again for it', async () => {
    const engines: string[] = [];
    const listing = resultCommand('list databases', (_args, ctx) => {
      engines.push(String(ctx.config.values.get('db-type')));
      return { databases: [] };
    });
    const { lastFrame, stdin } = render(appWith(effectsWith([listing])));
    await waitForFrame(lastFrame, 'PostgreSQL');
    stdin.write('1');
    await waitForFrame(lastFrame, 'no databases');
    stdin.write(keys.tab);
    await waitForFrame(lastFrame, 'Back up one database · MariaDB/MySQL');
    await settle(100);
    expect(engines).toEqual(['postgres', 'mariadb']);
  });

  it('shows the error and hint when the server cannot be reached, and Esc goes back', async () => {
    const down = failingCommand(
      'list databases',
      'cannot connect to /var/run/postgresql',
      'Check that the server runs.',
    );
    const { lastFrame, stdin } = render(appWith(effectsWith([down])));
    await waitForFrame(lastFrame, 'PostgreSQL');
    stdin.write('1');
    const frame = await waitForFrame(lastFrame, 'cannot connect');
    expect(frame).toContain('error (exit 69)');
    expect(frame).toContain('hint: Check that the server runs.');
    stdin.write(keys.escape);
    await waitForFrame(lastFrame, 'What do you want to do?');
  });
});
