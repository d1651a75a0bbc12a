// The terminal UI in a real pseudo-terminal (tmux): back up Sakila from the menu, browse to the
// backup, verify it, restore it through the preview into a new database, and compare.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempPrefix } from '../../src/plan/backup-name.js';
import { dropDbs, emptyHome, sharedDir, tempDir } from '../helpers/pg-case.js';
import { createDb, pgQuery, psqlFile, schemaDump, tableHashes, uniqueName } from '../helpers/pg.js';
import { binPath } from '../helpers/run-cli.js';
import { TmuxSession } from '../helpers/tmux.js';

const source = uniqueName('dbb_tui');
const target = uniqueName('dbb_tui_r');
const big = uniqueName('dbb_tui_big');
let backupDir: string;
let tmux: TmuxSession | undefined;

beforeAll(async () => {
  const dataset = join(sharedDir, 'datasets', 'postgres-sakila');
  await createDb(source);
  await psqlFile(source, join(dataset, 'schema.sql'));
  await psqlFile(source, join(dataset, 'data.sql'));
  backupDir = await tempDir('dbbackup-tui-');
});

afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
});

afterAll(async () => {
  await dropDbs(source, target, big);
  await fs.rm(backupDir, { recursive: true, force: true });
});

function startUi(columns: number, rows: number, extra: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: emptyHome,
    DBBACKUP_BACKUP_DIR: backupDir,
    ...extra,
  };
  delete env.NO_COLOR;
  delete env.DBBACKUP_CONFIG;
  delete env.XDG_CONFIG_HOME;
  return TmuxSession.start({
    argv: [process.execPath, binPath, 'interactive'],
    env,
    columns,
    rows,
  });
}

describe('dbbackup interactive in a terminal', () => {
  it('backs up, browses, verifies and restores Sakila from the menus', async () => {
    tmux = await startUi(120, 40);
    await tmux.waitFor('What do you want to do?', 30_000);
    const header = await tmux.waitFor('PostgreSQL');
    expect(header).toMatch(/PostgreSQL/);
    expect(header).toContain(backupDir);

    // Back up one database: the picker filters as we type.
    await tmux.keys('1');
    await tmux.waitFor('filter:');
    await tmux.type(source);
    await tmux.waitFor(`› ${source}`);
    await tmux.keys('Enter');
    const done = await tmux.waitFor('backup single complete', 180_000);
    expect(done).toMatch(/checksum\s+sha256 [0-9a-f]{64}/);
    expect(done).toMatch(/verified\s+yes/);
    const file = /file\s+(\S+\.pgdump\.zst)/.exec(done)?.[1];
    expect(file?.startsWith(backupDir)).toBe(true);
    const name = file?.slice(backupDir.length + 1) ?? '';

    // Browse: the new backup is listed; its details name the file.
    await tmux.keys('Enter');
    await tmux.waitFor('What do you want to do?');
    await tmux.keys('6');
    await tmux.waitFor(new RegExp(`› ${source}\\s+\\S+\\s+[\\d.]+ KiB\\s+complete`));
    await tmux.keys('i');
    await tmux.waitFor(`file        ${name}`);

    // A resize to 60 columns and back redraws the same screen and selection.
    await tmux.resize(60, 30);
    const narrow = await tmux.waitFor(/› dbb_tui_/);
    expect(narrow).toContain('Backups');
    await tmux.resize(120, 40);
    await tmux.waitFor(`file        ${name}`);

    // Verify it.
    await tmux.keys('v');
    const verified = await tmux.waitFor('backup is intact', 180_000);
    expect(verified).toMatch(/dump structure complete/);
    await tmux.keys('Enter');
    // The browser reloads the catalog: act only once the backup is listed again.
    await tmux.waitFor(new RegExp(`› ${source}\\s+\\S+\\s+[\\d.]+ KiB\\s+complete`));

    // Restore through the preview into a new database.
    await tmux.keys('r');
    await tmux.waitFor(`into database: ${source}`);
    await tmux.keys(...Array.from(source, () => 'BSpace'));
    await tmux.waitFor(/into database:\s*$/m);
    await tmux.type(target);
    await tmux.waitFor(`into database: ${target}`);
    await tmux.keys('Enter');
    const preview = await tmux.waitFor('Enter restore now', 180_000);
    expect(preview).toContain(`[ OK ] target: '${target}' does not exist and will be created`);
    expect(preview).toMatch(/\[ OK \] checksum: sha256 [0-9a-f]+… matches/);
    expect(preview).toContain('[ OK ] client tools');
    expect(preview).toContain('[ OK ] disk space');
    expect(preview).not.toContain('[FAIL]');
    await tmux.keys('Enter');
    const restored = await tmux.waitFor('restore single complete', 300_000);
    expect(restored).toMatch(/row counts of \d+ table\(s\) match the backup/);

    // The restored database equals the source.
    expect(await schemaDump(target)).toBe(await schemaDump(source));
    expect(await tableHashes(target)).toEqual(await tableHashes(source));
    const left = (await fs.readdir(backupDir)).filter((n) => n.startsWith(tempPrefix));
    expect(left).toEqual([]);

    // Quit from the menu: exit 0.
    await tmux.keys('Enter');
    await tmux.waitFor('What do you want to do?');
    await tmux.keys('q');
    await tmux.waitFor('[exit 0]', 30_000);
  }, 900_000);

  it('cancels a running backup on Ctrl+C then y: the dump stops and no file is left', async () => {
    await createDb(big);
    await pgQuery(
      big,
      `CREATE TABLE filler AS SELECT g, md5(g::text) || md5((g * 7)::text) AS s
       FROM generate_series(1, 3000000) g`,
    );
    const before = await fs.readdir(backupDir);
    // zstd at level 19 makes the dump slow enough to interrupt. zstd reads pg_dump's pipe
    // itself and takes in tens of MB before its first output: 200 MB keep pg_dump running.
    tmux = await startUi(120, 40, { DBBACKUP_COMPRESSION: 'zstd:19' });
    await tmux.waitFor('PostgreSQL', 30_000);
    await tmux.keys('1');
    await tmux.waitFor('filter:');
    await tmux.type(big);
    await tmux.waitFor(`› ${big}`);
    await tmux.keys('Enter');
    await tmux.waitFor(/backup\s+[\d.]+ (KiB|MiB) of ~/, 120_000);
    expect(await toolsOf(big)).not.toEqual([]);

    await tmux.keys('C-c');
    await tmux.waitFor('Cancel this run?');
    await tmux.keys('y');
    const cancelled = await tmux.waitFor(
      'child processes were stopped and temporary files removed',
    );
    expect(cancelled).toContain('· cancelled ·');
    expect(await toolsOf(big)).toEqual([]);
    const after = (await fs.readdir(backupDir)).filter((n) => !before.includes(n));
    expect(
      after.filter((n) => !n.startsWith('.dbbackup-catalog') && !n.startsWith('.dbbackup-journal')),
    ).toEqual([]);

    await tmux.keys('Enter');
    await tmux.waitFor('What do you want to do?');
    await tmux.keys('q');
    await tmux.waitFor('[exit 0]', 30_000);
  }, 900_000);
});

/** Command lines of running processes that name the database (pg_dump does). */
async function toolsOf(database: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args[0]?.endsWith('pg_dump') === true && cmdline.includes(database)) {
      found.push(args.join(' '));
    }
  }
  return found;
}
