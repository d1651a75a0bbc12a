// Bad inputs against the real PostgreSQL: each gives its exit code, one error line and a hint.
import * as fs from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupWithCli,
  cli,
  createSmallDb,
  databaseNames,
  dropDbs,
  listDir,
  psqlRows,
  tempDir,
  userErrorShape,
  type BackupMade,
} from '../helpers/pg-case.js';
import { mountTmpfs, unmountTmpfs } from '../helpers/mount.js';
import { createDb, uniqueName } from '../helpers/pg.js';
import type { CliResult } from '../helpers/run-cli.js';

const source = uniqueName('dbb_bad');
const databases = [source];
const mounts: string[] = [];
let backupDir: string;
let made: BackupMade;

beforeAll(async () => {
  backupDir = await tempDir();
  await createSmallDb(source, 2000);
  made = await backupWithCli(source, backupDir);
});

afterAll(async () => {
  for (const dir of mounts) await unmountTmpfs(dir);
  await dropDbs(...databases);
  await fs.rm(backupDir, { recursive: true, force: true });
});

/** A loopback port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One `error:` line (the only line before the hint), a `hint:` line and no stack trace. */
function expectUserError(result: CliResult, code: number | number[], pattern: RegExp): void {
  const codes = Array.isArray(code) ? code : [code];
  expect(codes, result.stderr).toContain(result.code);
  const shape = userErrorShape(result.stderr);
  expect(shape.error).toMatch(pattern);
  expect(shape.hint.length).toBeGreaterThan('hint: '.length);
  expect(shape.stack).toBe(false);
  expect(result.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1);
}

async function copyBackup(damage: (file: string) => Promise<void>): Promise<string> {
  const dir = await tempDir();
  const file = join(dir, made.file.slice(backupDir.length + 1));
  await fs.copyFile(made.file, file);
  await fs.copyFile(`${made.file}.manifest.json`, `${file}.manifest.json`);
  await damage(file);
  return file;
}

describe('bad inputs', () => {
  it('a missing database exits 66 and writes nothing', async () => {
    const dir = await tempDir();
    const result = await cli(['backup', 'single', `${source}_missing`, '--backup-dir', dir]);
    expectUserError(result, 66, /database '.*_missing' does not exist/);
    expect(await listDir(dir)).toEqual([]);
    await fs.rm(dir, { recursive: true });
  });

  it('an unreachable server exits 69 for backup, list and restore', async () => {
    const port = String(await closedPort());
    const where = ['--host', '127.0.0.1', '--port', port];
    const dir = await tempDir();
    expectUserError(
      await cli(['backup', 'single', source, '--backup-dir', dir, ...where]),
      69,
      /connect|ECONNREFUSED/i,
    );
    expect(await listDir(dir)).toEqual([]);
    expectUserError(await cli(['list', 'databases', ...where]), 69, /connect|ECONNREFUSED/i);
    expectUserError(
      await cli(['restore', 'single', made.file, '--target', 'x', ...where]),
      69,
      /connect|ECONNREFUSED/i,
    );
    await fs.rm(dir, { recursive: true });
  });

  it('a missing backup file exits 66 for verify and restore', async () => {
    const missing = join(backupDir, 'nothing_20260101T000000Z.pgdump.zst');
    expectUserError(await cli(['verify', missing]), 66, /no such file/);
    expectUserError(
      await cli(['restore', 'single', missing, '--target', 'x', '--confirm']),
      66,
      /no such file/,
    );
  });

  it('a truncated backup exits 65 for verify and restore, and the target is not created', async () => {
    const file = await copyBackup(async (f) => {
      const { size } = await fs.stat(f);
      await fs.truncate(f, size - 100);
    });
    expectUserError(await cli(['verify', file]), 65, /bytes but its manifest says/);
    const target = uniqueName('dbb_bad_t');
    databases.push(target);
    expectUserError(
      await cli(['restore', 'single', file, '--target', target, '--create', '--confirm']),
      65,
      /truncated|bytes/,
    );
    expect(await databaseNames()).not.toContain(target);
  });

  it('a corrupt backup exits 65 for verify and restore', async () => {
    const file = await copyBackup(async (f) => {
      const bytes = await fs.readFile(f);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
      await fs.writeFile(f, bytes);
    });
    expectUserError(await cli(['verify', file]), 65, /checksum/);
    expectUserError(await cli(['verify', file, '--quick']), 65, /checksum/);
    expectUserError(
      await cli(['restore', 'single', file, '--target', 'x', '--create', '--confirm']),
      65,
      /checksum|corrupt/,
    );
  });

  it('a read-only backup directory fails with 77 or 74 before dumping', async () => {
    const dir = await mountTmpfs('1m', { readOnly: true });
    mounts.push(dir);
    for (const backupDirArg of [dir, join(dir, 'sub')]) {
      const result = await cli(['backup', 'single', source, '--backup-dir', backupDirArg]);
      expectUserError(result, [77, 74], /read-only file system/);
      expect(result.stderr).not.toMatch(/backing up|backup '/);
      // Recording the failure fails too, in the same directory: one line says so, no more.
      const lines = result.stderr.split('\n').filter((l) => l !== '');
      expect(lines.filter((l) => l.startsWith('hint: '))).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith('warning: '))).toEqual([
        expect.stringMatching(/^warning: this failed attempt was not recorded: /) as string,
      ]);
    }
    expect(await listDir(dir)).toEqual([]);
  });

  it('status reports a missing backup directory without making it, and a read-only one (77)', async () => {
    const parent = await tempDir();
    try {
      const missing = join(parent, 'not', 'yet');
      const ok = await cli(['status', '--backup-dir', missing, '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/"exists":false/);
      expect(await listDir(parent)).toEqual([]);
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
    const dir = await mountTmpfs('1m', { readOnly: true });
    mounts.push(dir);
    for (const backupDirArg of [dir, join(dir, 'sub')]) {
      const result = await cli(['status', '--backup-dir', backupDirArg]);
      expect(result.code).toBe(77);
      expect(result.stdout + result.stderr).toMatch(/read-only file system/);
    }
  });

  it('a restore without --confirm prints the plan, exits 0 and leaves the target untouched', async () => {
    const missing = uniqueName('dbb_bad_p');
    databases.push(missing);
    const plan = await cli(['restore', 'single', made.file, '--target', missing, '--create']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/will create database/);
    expect(plan.stdout).toMatch(/run again with --confirm/);
    expect(await databaseNames()).not.toContain(missing);
    // Without --create the target check fails, and the plan promises nothing it would not do.
    const refused = await cli(['restore', 'single', made.file, '--target', missing]);
    expect(refused.code).toBe(66);
    expect(refused.stdout + refused.stderr).toMatch(/does not exist/);
    expect(refused.stdout).not.toMatch(/will create database/);

    const empty = uniqueName('dbb_bad_e');
    databases.push(empty);
    await createDb(empty);
    const again = await cli(['restore', 'single', made.file, '--target', empty]);
    expect(again.code, again.stderr).toBe(0);
    const tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    expect(await psqlRows(empty, tables)).toEqual(['0']);
  });

  it('an unknown flag exits 64 with the usage hint', async () => {
    const result = await cli(['backup', 'single', source, '--frobnicate']);
    expectUserError(result, 64, /unknown option '--frobnicate'/);
  });

  it('a password flag does not exist (exit 64)', async () => {
    const result = await cli(['backup', 'single', source, '--password', 'x']);
    expectUserError(result, 64, /unknown option '--password'/);
  });
});
