// Case 026: a truncated or bit-flipped backup is found before the target is touched.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupWithCli,
  cli,
  databaseNames,
  dropDbs,
  loadCase,
  psqlRows,
  restoreWithCli,
  tempDir,
  userErrorShape,
  type BackupMade,
} from '../helpers/pg-case.js';
import { createDb, uniqueName } from '../helpers/pg.js';
import type { Manifest } from '../../src/manifest/manifest.js';

const run = promisify(execFile);

const source = uniqueName('dbb_c026');
const databases = [source];
const dirs: string[] = [];
const backups = new Map<string, BackupMade>();

beforeAll(async () => {
  await loadCase('026', source);
  for (const compression of ['zstd', 'gzip', 'none']) {
    const dir = await tempDir();
    dirs.push(dir);
    backups.set(compression, await backupWithCli(source, dir, ['--compression', compression]));
  }
});

afterAll(async () => {
  await dropDbs(...databases);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

function newDb(): string {
  const name = uniqueName('dbb_c026_r');
  databases.push(name);
  return name;
}

/** Copies a backup and its manifest into a new directory and damages the copy. */
async function damagedCopy(made: BackupMade, damage: (file: string) => Promise<void>) {
  const dir = await tempDir();
  dirs.push(dir);
  const file = join(dir, basename(made.file));
  await fs.copyFile(made.file, file);
  await fs.copyFile(`${made.file}.manifest.json`, `${file}.manifest.json`);
  await damage(file);
  return file;
}

async function truncateHalf(file: string): Promise<void> {
  const { size } = await fs.stat(file);
  await fs.truncate(file, Math.floor(size / 2));
}

function flipAt(where: 'start' | 'middle' | 'end') {
  return async (file: string) => {
    const bytes = await fs.readFile(file);
    const at = where === 'start' ? 0 : where === 'middle' ? bytes.length >> 1 : bytes.length - 1;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    await fs.writeFile(file, bytes);
  };
}

/** Asserts a data error (65) printed as one `error:` line and a hint. */
function expectDataError(result: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(65);
  const shape = userErrorShape(result.stderr);
  expect(shape.error).toMatch(pattern);
  expect(shape.hint).not.toBe('');
  expect(shape.stack).toBe(false);
}

const damages = [
  { name: 'cut to half its size', damage: truncateHalf, message: /truncated|bytes but/ },
  { name: 'a flipped first byte', damage: flipAt('start'), message: /checksum|corrupt/ },
  { name: 'a flipped middle byte', damage: flipAt('middle'), message: /checksum|corrupt/ },
  { name: 'a flipped last byte', damage: flipAt('end'), message: /checksum|corrupt/ },
];

describe.each(['zstd', 'gzip', 'none'])('case 026: a damaged %s backup', (compression) => {
  it('restores undamaged: ledger 50000 rows, zz_after_ledger 3', async () => {
    const target = newDb();
    await restoreWithCli(backups.get(compression)!.file, target);
    expect(await psqlRows(target, 'SELECT count(*) FROM ledger')).toEqual(['50000']);
    expect(await psqlRows(target, 'SELECT count(*) FROM zz_after_ledger')).toEqual(['3']);
  });

  describe.each(damages)('with $name', ({ damage, message }) => {
    let file: string;

    beforeAll(async () => {
      file = await damagedCopy(backups.get(compression)!, damage);
    });

    it('fails verify and verify --quick with 65', async () => {
      expectDataError(await cli(['verify', file]), message);
      expectDataError(await cli(['verify', file, '--quick']), message);
    });

    it('fails the restore with 65 before creating the target', async () => {
      const target = newDb();
      const result = await cli([
        'restore',
        'single',
        file,
        '--target',
        target,
        '--create',
        '--confirm',
      ]);
      expectDataError(result, message);
      expect(result.stdout).not.toMatch(/complete/);
      expect(await databaseNames()).not.toContain(target);
    });

    it('fails the restore with 65 and leaves an existing empty target empty', async () => {
      const target = newDb();
      await createDb(target);
      const result = await cli(['restore', 'single', file, '--target', target, '--confirm']);
      expectDataError(result, message);
      expect(
        await psqlRows(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
      ).toEqual(['0']);
    });
  });

  it('fails a --no-verify restore of the cut file and drops the target it created', async () => {
    const file = await damagedCopy(backups.get(compression)!, truncateHalf);
    const target = newDb();
    const result = await cli([
      'restore',
      'single',
      file,
      '--target',
      target,
      '--create',
      '--no-verify',
      '--confirm',
    ]);
    expect(result.code, result.stderr).not.toBe(0);
    expect(result.stdout).not.toMatch(/complete/);
    expect(userErrorShape(result.stderr)).toMatchObject({ stack: false });
    expect(await databaseNames()).not.toContain(target);
  });
});

describe('case 026: a damaged dump inside a file whose checksum matches', () => {
  let file: string;

  beforeAll(async () => {
    // Re-compress a dump with its magic bytes broken and record the new checksum, so only
    // pg_restore can tell: it stops at once while zstd still has a megabyte to write.
    const made = backups.get('zstd')!;
    file = await damagedCopy(made, async (path) => {
      const dump = (
        await run('zstd', ['-q', '-d', '-c', path], { encoding: 'buffer', maxBuffer: 1 << 26 })
      ).stdout;
      expect(dump.length).toBeGreaterThan(1 << 20);
      dump.write('XXXXX', 0, 'latin1');
      const packed = await new Promise<Buffer>((resolve, reject) => {
        const child = execFile(
          'zstd',
          ['-q', '-c'],
          { encoding: 'buffer', maxBuffer: 1 << 26 },
          (error, out) =>
            error ? reject(new Error(error.message, { cause: error })) : resolve(out),
        );
        child.stdin?.end(dump);
      });
      await fs.writeFile(path, packed);
      const manifest = JSON.parse(await fs.readFile(`${path}.manifest.json`, 'utf8')) as Manifest;
      manifest.sizes.stored = packed.length;
      manifest.checksum.value = createHash('sha256').update(packed).digest('hex');
      await fs.writeFile(`${path}.manifest.json`, JSON.stringify(manifest));
    });
  });

  it('fails verify with 65 and exits at once, leaving no zstd behind', async () => {
    const result = await cli(['verify', file], { timeoutMs: 30_000 });
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(65);
    expect(userErrorShape(result.stderr).error).toMatch(/pg_restore/);
  });

  it('fails the restore and exits at once, dropping the target it created', async () => {
    const target = newDb();
    const result = await cli(
      ['restore', 'single', file, '--target', target, '--create', '--confirm'],
      {
        timeoutMs: 30_000,
      },
    );
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    expect(await databaseNames()).not.toContain(target);
  });
});
