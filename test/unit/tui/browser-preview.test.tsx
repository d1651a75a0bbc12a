// The backup browser's keys, and the restore preview from options through checks to running.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobRequest } from '../../../src/tui/job-runner.js';
import { ExitCode } from '../../../src/errors.js';
import {
  appWith,
  effectsWith,
  fakeCommand,
  keys,
  resultCommand,
  settle,
  testEnv,
  waitForFrame,
} from '../../helpers/tui.js';

afterEach(() => cleanup());

const now = Date.now();
const catalog = resultCommand('catalog list', () => ({
  backups: [
    {
      id: 'shop_new.pgdump.zst',
      kind: 'single',
      file: 'shop_new.pgdump.zst',
      engine: 'postgres',
      database: 'shop',
      host: 'db1:5432',
      status: 'complete',
      startedAt: new Date(now - 2 * 3600_000).toISOString(),
      storedBytes: 3 * 1024 * 1024,
      compression: 'zstd:3',
      checksum: 'ab'.repeat(32),
      encrypted: true,
      error: null,
      verification: { checksum: true, deep: false, corrupt: false },
    },
    {
      id: 'failed-1',
      kind: 'single',
      file: null,
      engine: 'postgres',
      database: 'sales',
      host: null,
      status: 'failed',
      startedAt: new Date(now - 3 * 86_400_000).toISOString(),
      storedBytes: null,
      error: 'pg_dump exited with code 1',
      verification: {},
    },
  ],
}));

/** Records each request of the named commands; answers with `data`. */
function recorder(name: string, log: JobRequest[], data: (flags: JobRequest['flags']) => object) {
  return fakeCommand(name, (ctx, args) => {
    const flags = Object.fromEntries(
      [...ctx.config.sources]
        .filter(([, s]) => s === 'flag')
        .map(([k]) => [k, ctx.config.values.get(k)]),
    ) as JobRequest['flags'];
    log.push({ command: name, args, flags });
    const result = data(flags);
    ctx.output.result({ command: name, ...result }, []);
    return 'ok' in result && result.ok === false ? ExitCode.noInput : ExitCode.ok;
  });
}

function plan(targetState: string, checks: { name: string; ok: boolean; detail: string }[]) {
  return {
    ok: checks.every((c) => c.ok),
    executed: false,
    plan: {
      source: '/b/shop_new.pgdump.zst',
      database: 'shop',
      target: 'shop_copy',
      targetState,
      actions: ["create database 'shop_copy'", "restore 'shop' into 'shop_copy'"],
      checks,
    },
  };
}

const okChecks = [
  { name: 'engine', ok: true, detail: 'postgres pg-custom' },
  { name: 'checksum', ok: true, detail: 'sha256 abab… matches' },
  { name: 'key', ok: true, detail: 'identity opens the file' },
  { name: 'target', ok: true, detail: "'shop_copy' does not exist and will be created" },
  { name: 'client tools', ok: true, detail: 'pg_restore 15.2' },
];

async function openBrowser(extra: ReturnType<typeof fakeCommand>[]) {
  const env = testEnv();
  const view = render(appWith(effectsWith([catalog, ...extra], env)));
  await waitForFrame(view.lastFrame, 'PostgreSQL');
  view.stdin.write('6');
  await waitForFrame(view.lastFrame, '› shop');
  return { ...view, backupDir: env.env.DBBACKUP_BACKUP_DIR ?? '' };
}

describe('BackupBrowser', () => {
  it('lists status, size, age and verification, and shows details', async () => {
    const { lastFrame, stdin } = await openBrowser([]);
    const frame = lastFrame() ?? '';
    expect(frame).toMatch(/› shop\s+2h\s+3\.0 MiB\s+complete\s+checksum/);
    expect(frame).toMatch(/sales\s+3d\s+-\s+failed/);
    stdin.write('i');
    const details = await waitForFrame(lastFrame, 'compression zstd:3');
    expect(details).toContain(`checksum    sha256 ${'ab'.repeat(32)}`);
    expect(details).toContain('encrypted   yes (age)');
    expect(details).toContain('database    shop (postgres on db1:5432)');
  });

  it('verifies and deep-verifies the selected backup by its full path', async () => {
    const seen: JobRequest[] = [];
    const verify = recorder('verify', seen, () => ({ file: 'shop_new.pgdump.zst', checks: [] }));
    const { lastFrame, stdin, backupDir } = await openBrowser([verify]);
    stdin.write('v');
    await waitForFrame(lastFrame, 'backup is intact');
    stdin.write(keys.enter);
    await waitForFrame(lastFrame, '› shop');
    stdin.write('d');
    await waitForFrame(lastFrame, 'Deep verify shop');
    await waitForFrame(lastFrame, 'backup is intact');
    expect(seen.map((r) => [r.args[0], r.flags.deep])).toEqual([
      [`${backupDir}/shop_new.pgdump.zst`, undefined],
      [`${backupDir}/shop_new.pgdump.zst`, true],
    ]);
  });

  it('deletes only after y, and keeps the backup on any other key', async () => {
    const deleted: JobRequest[] = [];
    const remove = recorder('delete backup', deleted, () => ({ ok: true }));
    const { lastFrame, stdin } = await openBrowser([remove]);
    stdin.write('x');
    await waitForFrame(lastFrame, 'Delete shop_new.pgdump.zst and its manifest?');
    stdin.write('n');
    await waitForFrame(lastFrame, 'kept');
    expect(deleted).toEqual([]);

    stdin.write('x');
    await waitForFrame(lastFrame, 'cannot be undone');
    stdin.write('y');
    await waitForFrame(lastFrame, 'deleted shop_new.pgdump.zst');
    expect(deleted.map((r) => r.args)).toEqual([['shop_new.pgdump.zst']]);
  });

  it('refuses actions on a failed attempt, which has no file', async () => {
    const { lastFrame, stdin } = await openBrowser([]);
    stdin.write(keys.down);
    await waitForFrame(lastFrame, '› sales');
    stdin.write('v');
    await waitForFrame(lastFrame, 'there is no file to use');
    stdin.write('x');
    await waitForFrame(lastFrame, 'nothing to delete');
  });
});

describe('RestorePreview', () => {
  it('shows what goes where and each check, then restores on Enter with --confirm', async () => {
    const seen: JobRequest[] = [];
    const restore = recorder('restore single', seen, (flags) =>
      flags.confirm === true
        ? { ok: true, executed: true, target: 'shop_copy', durationMs: 1200, tablesCompared: 3 }
        : plan('missing', okChecks),
    );
    const { lastFrame, stdin } = await openBrowser([restore]);
    stdin.write('r');
    await waitForFrame(lastFrame, 'into database: shop');
    stdin.write(keys.backspace.repeat(4));
    await waitForFrame(lastFrame, /into database:\s*$/m);
    stdin.write('shop_copy');
    await waitForFrame(lastFrame, 'into database: shop_copy');
    stdin.write(keys.enter);

    const preview = await waitForFrame(lastFrame, 'Enter restore now');
    expect(preview).toContain("create database 'shop_copy'");
    for (const check of okChecks)
      expect(preview).toContain(`[ OK ] ${check.name}: ${check.detail}`);
    stdin.write(keys.enter);
    const done = await waitForFrame(lastFrame, 'restore single complete');
    expect(done).toContain('row counts of 3 table(s) match the backup');
    // The engine of the backup goes with the restore, whatever engine the session is on.
    expect(seen.map((r) => r.flags['db-type'])).toEqual(['postgres', 'postgres']);
    expect(seen.map((r) => [r.flags.target, r.flags.create, r.flags.confirm])).toEqual([
      ['shop_copy', true, undefined],
      ['shop_copy', true, true],
    ]);
  });

  it('marks a failing check and does not offer to run', async () => {
    const seen: JobRequest[] = [];
    const failing = [
      ...okChecks.slice(0, 3),
      { name: 'target', ok: false, detail: "database 'shop' is not empty (12 objects)" },
    ];
    const restore = recorder('restore single', seen, () => ({
      ...plan('has-objects', failing),
      ok: false,
    }));
    const { lastFrame, stdin } = await openBrowser([restore]);
    stdin.write('r');
    await waitForFrame(lastFrame, 'into database: shop');
    stdin.write(keys.enter);
    const preview = await waitForFrame(lastFrame, '[FAIL] target');
    expect(preview).toContain('A check failed: the restore would not run');
    stdin.write(keys.enter);
    await settle(100);
    expect(seen).toHaveLength(1);
  });

  it('asks for the database name to be typed before --clean replaces objects', async () => {
    const seen: JobRequest[] = [];
    const restore = recorder('restore single', seen, (flags) =>
      flags.confirm === true
        ? { ok: true, executed: true, target: 'shop', durationMs: 5, tablesCompared: 0 }
        : plan('has-objects', [
            {
              name: 'target',
              ok: true,
              detail: "'shop' has 12 object(s); --clean replaces those in the dump",
            },
          ]),
    );
    const { lastFrame, stdin } = await openBrowser([restore]);
    stdin.write('r');
    await waitForFrame(lastFrame, 'into database: shop');
    stdin.write(keys.down);
    await waitForFrame(lastFrame, '› [x] --create');
    stdin.write(keys.down);
    await waitForFrame(lastFrame, '› [ ] --clean');
    stdin.write(keys.space);
    await waitForFrame(lastFrame, '› [x] --clean');
    stdin.write(keys.enter);

    await waitForFrame(lastFrame, 'Type the database name to confirm');
    expect(lastFrame()).toContain('--clean replaces those in the dump');
    stdin.write('sho');
    await settle();
    stdin.write(keys.enter);
    await settle(100);
    expect(seen.filter((r) => r.flags.confirm === true)).toEqual([]);

    stdin.write('p');
    await settle();
    stdin.write(keys.enter);
    await waitForFrame(lastFrame, 'restore single complete');
    expect(seen.at(-1)?.flags).toMatchObject({ clean: true, confirm: true, target: 'shop' });
  });
});
