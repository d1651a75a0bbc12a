// Encrypted backups of Sakila: stock age restores them, tampering is caught, wrong keys are named.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/encryption/keys.js';
import type { Manifest } from '../../src/manifest/manifest.js';
import {
  backupWithCli,
  cli,
  databaseNames,
  dropDbs,
  restoreWithCli,
  sharedDir,
  tempDir,
  userErrorShape,
  type BackupMade,
} from '../helpers/pg-case.js';
import { createDb, psqlFile, tableHashes, uniqueName } from '../helpers/pg.js';
import { jsonResult } from '../helpers/run-cli.js';

const run = promisify(execFile);
const source = uniqueName('dbb_enc');
const targets: string[] = [];
let dir: string;
let identity: string;
let recipient: string;
let sourceHashes: Record<string, string>;
let made: BackupMade;

function newTarget(): string {
  const name = uniqueName('dbb_enc_r');
  targets.push(name);
  return name;
}

/** Copies the backup and its manifest under a new name, with `change` applied to the data. */
async function damagedCopy(name: string, change: (data: Buffer) => Buffer): Promise<string> {
  const file = join(dir, 'damaged', `${name}.pgdump.zst.age`);
  await fs.mkdir(join(dir, 'damaged'), { recursive: true });
  await fs.writeFile(file, change(await fs.readFile(made.file)));
  const manifest = await fs.readFile(`${made.file}.manifest.json`, 'utf8');
  await fs.writeFile(`${file}.manifest.json`, manifest);
  return file;
}

function flip(offset: (length: number) => number): (data: Buffer) => Buffer {
  return (data) => {
    const out = Buffer.from(data);
    const at = offset(out.length);
    out[at] = (out[at] ?? 0) ^ 0x40;
    return out;
  };
}

beforeAll(async () => {
  const dataset = join(sharedDir, 'datasets', 'postgres-sakila');
  await createDb(source);
  await psqlFile(source, join(dataset, 'schema.sql'));
  await psqlFile(source, join(dataset, 'data.sql'));
  sourceHashes = await tableHashes(source);
  dir = await tempDir();
  identity = join(dir, 'key.txt');

  const generated = await cli(['key', 'generate', '--output', identity, '--json']);
  expect(generated.code).toBe(0);
  recipient = String(jsonResult(generated).recipient);
  made = await backupWithCli(source, join(dir, 'backups'), ['--encrypt', '--recipient', recipient]);
});

afterAll(async () => {
  await dropDbs(source, ...targets);
  await fs.rm(dir, { recursive: true, force: true });
});

describe('key generate', () => {
  it('writes a private identity file and refuses to overwrite it', async () => {
    const info = await fs.stat(identity);
    expect(info.mode & 0o777).toBe(0o600);
    expect(await fs.readFile(identity, 'utf8')).toContain(`# public key: ${recipient}`);
    const again = await cli(['key', 'generate', '--output', identity]);
    expect(again.code).toBe(64);
    expect(userErrorShape(again.stderr).error).toMatch(/already exists/);
  });
});

describe('an encrypted backup', () => {
  it('records the recipient and the chosen compression, and no secret', async () => {
    const { manifest } = made;
    expect(made.file).toMatch(/\.pgdump\.zst\.age$/);
    expect(manifest.encryption).toEqual({
      format: 'age',
      recipients: [{ type: 'x25519', recipient, fingerprint: fingerprintOf(recipient) }],
      passphrase: false,
    });
    expect(manifest.compression).toMatchObject({ algorithm: 'zstd', chosenBy: 'auto' });
    const text = await fs.readFile(`${made.file}.manifest.json`, 'utf8');
    expect(text).not.toContain('AGE-SECRET-KEY');
  });

  it('restores with stock tools: age -d | zstd -dc | pg_restore', async () => {
    const target = newTarget();
    await createDb(target);
    const script =
      'age -d -i "$1" "$2" | zstd -dc | pg_restore --exit-on-error --single-transaction -d "$3"';
    await run('bash', ['-o', 'pipefail', '-c', script, 'sh', identity, made.file, target]);
    expect(await tableHashes(target)).toEqual(sourceHashes);
  });

  it('restores with --identity and proves every row count', async () => {
    const target = newTarget();
    const args = ['restore', 'single', made.file, '--identity', identity, '--target', target];
    const plan = await cli([...args, '--create']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/\[ ok \] key: the key given opens the age header/);
    const result = await restoreWithCli(made.file, target, ['--identity', identity]);
    expect(result.stdout).toMatch(/row counts of \d+ table\(s\) match the backup/);
    expect(await tableHashes(target)).toEqual(sourceHashes);
  });

  it('without a key, refuses to restore and names the recipient it needs (77)', async () => {
    const target = newTarget();
    const result = await cli([
      'restore',
      'single',
      made.file,
      '--target',
      target,
      '--create',
      '--confirm',
    ]);
    expect(result.code).toBe(77);
    expect(userErrorShape(result.stderr).error).toContain(recipient);
    expect(await databaseNames()).not.toContain(target);
  });

  it('with the wrong identity, fails with 77 naming both keys', async () => {
    const other = join(dir, 'other.txt');
    expect((await cli(['key', 'generate', '--output', other])).code).toBe(0);
    const result = await cli(['verify', made.file, '--identity', other]);
    expect(result.code).toBe(77);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toContain(`it needs recipient ${recipient}`);
    expect(shape.error).toContain(`identity '${other}'`);
    expect(shape.hint).toMatch(/--identity FILE/);
  });

  it('verifies without the key, saying it checked only size and checksum', async () => {
    const result = await cli(['verify', made.file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/size and checksum are intact/);
    expect(result.stdout).toMatch(/not checked: decryption, decompression and the dump structure/);
    const quick = await cli(['verify', made.file, '--quick']);
    expect(quick.code).toBe(0);
  });

  it('verifies everything with the key', async () => {
    const result = await cli(['verify', made.file, '--identity', identity]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok decrypted the age stream to its end/);
    expect(result.stdout).toMatch(/ok dump structure complete/);
  });
});

describe('a damaged encrypted backup fails with 65 before any data reaches a database', () => {
  it.each([
    ['a flipped byte at the start', flip(() => 40)],
    ['a flipped byte in the middle', flip((n) => Math.floor(n / 2))],
    ['a flipped byte at the end', flip((n) => n - 1)],
    ['a truncation', (data: Buffer) => data.subarray(0, data.length - 70_000)],
  ])('%s', async (name, change) => {
    const file = await damagedCopy(name.replace(/ /g, '_'), change);
    const verified = await cli(['verify', file, '--identity', identity]);
    expect(verified.code).toBe(65);

    const target = newTarget();
    const restored = await cli([
      'restore',
      'single',
      file,
      '--identity',
      identity,
      '--target',
      target,
      '--create',
      '--confirm',
    ]);
    expect(restored.code).toBe(65);
    expect(await databaseNames()).not.toContain(target);

    // Without the checksum check, decryption itself refuses the file.
    const unchecked = await cli([
      'restore',
      'single',
      file,
      '--identity',
      identity,
      '--no-verify',
      '--target',
      target,
      '--create',
      '--confirm',
    ]);
    expect(unchecked.code).toBe(65);
    expect(await databaseNames()).not.toContain(target);
  });
});

describe('a passphrase-encrypted backup', () => {
  it(
    'round-trips with DBBACKUP_PASSPHRASE and --passphrase-file, and refuses a wrong one',
    { timeout: 240_000 },
    async () => {
      const env = { DBBACKUP_PASSPHRASE: 'tangerine-orbit-velvet-cactus-nine' };
      const backup = await backupWithCli(source, join(dir, 'pass'), ['--encrypt'], { env });
      expect(backup.manifest.encryption).toEqual({
        format: 'age',
        recipients: [],
        passphrase: true,
      });
      expect(backup.result.stdout + backup.result.stderr).not.toContain(env.DBBACKUP_PASSPHRASE);

      const file = join(dir, 'pass.txt');
      await fs.writeFile(file, `${env.DBBACKUP_PASSPHRASE}\n`, { mode: 0o600 });
      const target = newTarget();
      await restoreWithCli(backup.file, target, ['--passphrase-file', file]);
      expect(await tableHashes(target)).toEqual(sourceHashes);

      const wrong = await cli(['verify', backup.file], { env: { DBBACKUP_PASSPHRASE: 'not-it' } });
      expect(wrong.code).toBe(77);
      expect(userErrorShape(wrong.stderr).error).toMatch(/needs a passphrase/);
    },
  );
});

describe('verify --deep', () => {
  it('restores into a throwaway database, reports every table and drops it', async () => {
    const result = await cli(['verify', made.file, '--deep', '--identity', identity, '--json']);
    expect(result.code).toBe(0);
    const deep = jsonResult(result).deep as {
      database: string;
      tables: { table: string; ok: boolean }[];
      restoreMs: number;
    };
    expect(deep.tables.length).toBe(made.manifest.fingerprint.tables.length);
    expect(deep.tables.every((t) => t.ok)).toBe(true);
    expect(deep.restoreMs).toBeGreaterThan(0);
    expect(deep.database).toMatch(/^dbbackup_verify_/);
    expect(await databaseNames()).not.toContain(deep.database);
  });

  it('fails with 65 naming the table whose recorded count does not restore', async () => {
    const file = await damagedCopy('planted', (data) => data);
    const manifest = JSON.parse(await fs.readFile(`${file}.manifest.json`, 'utf8')) as Manifest;
    const rental = manifest.fingerprint.tables.find((t) => t.name === 'rental');
    if (rental === undefined) throw new Error('no rental table in the manifest');
    rental.rows += 1;
    await fs.writeFile(`${file}.manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);

    const result = await cli(['verify', file, '--deep', '--identity', identity]);
    expect(result.code).toBe(65);
    expect(userErrorShape(result.stderr).error).toMatch(
      /1 table\(s\) differ from the manifest: 'public.rental'/,
    );
    expect(result.stderr).toMatch(/public\.rental: \d+ rows expected, \d+ restored/);
    const throwaway = /into throwaway '([^']+)'/.exec(result.stderr)?.[1];
    expect(throwaway).toMatch(/^dbbackup_verify_/);
    expect(await databaseNames()).not.toContain(throwaway);
  });

  it('restores into a temporary instance with --instance temp and removes it', async () => {
    const result = await cli([
      'verify',
      made.file,
      '--deep',
      '--instance',
      'temp',
      '--identity',
      identity,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/on temporary PostgreSQL \d+ on 127\.0\.0\.1:\d+/);
    const left = (await fs.readdir('/tmp')).filter((n) => n.startsWith('dbbackup-verify-'));
    expect(left).toEqual([]);
  });

  it('without the key, says which key a restore needs (77)', async () => {
    const result = await cli(['verify', made.file, '--deep']);
    expect(result.code).toBe(77);
    expect(userErrorShape(result.stderr).error).toContain(recipient);
  });
});

describe('--compression auto', () => {
  it('hands incompressible data (random large objects) to zstd reading pg_dump directly, and records the exact dump size', async () => {
    const db = uniqueName('dbb_enc_rand');
    targets.push(db);
    await createDb(db);
    const sql =
      "SELECT lo_from_bytea(0, (SELECT decode(string_agg(lpad(to_hex(floor(random() * 256)::int), 2, '0'), ''), 'hex') " +
      'FROM generate_series(1, 262144) AS g WHERE g > o - o)) FROM generate_series(1, 40) AS o';
    await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql]);
    const backup = await backupWithCli(db, join(dir, 'rand'));
    const { compression, sizes } = backup.manifest;
    expect(compression).toMatchObject({ algorithm: 'zstd', chosenBy: 'auto' });
    expect(compression.reason).toMatch(/reads the dump tool's output directly/);
    // zstd stores blocks that do not compress as they are: a few bytes per 128 KiB block.
    expect(sizes.stored).toBeLessThan(sizes.dump * 1.001 + 1024);
    // The size zstd reported is the dump's exact size.
    const decompressed = await run('sh', ['-c', `zstd -dc '${backup.file}' | wc -c`]);
    expect(Number(decompressed.stdout.trim())).toBe(sizes.dump);
    expect(sizes.dump).toBeGreaterThan(40 * 262144);
    const target = newTarget();
    await restoreWithCli(backup.file, target);
  });
});
