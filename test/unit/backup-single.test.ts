import { spawn as nodeSpawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/errors.js';
import type { AppEvent } from '../../src/events/events.js';
import { backupSingle, type BackupSingleInput } from '../../src/jobs/backup-single.js';
import { systemSpawn, type Spawn } from '../../src/process/run-tool.js';
import { MemoryTarget } from '../../src/storage/memory/memory-target.js';
import { FakeEngine, dumpFailure, manifestOf } from '../helpers/fake-engine.js';

const clock = { now: () => new Date('2026-12-04T04:20:00Z') };

function input(overrides: Partial<BackupSingleInput>): BackupSingleInput {
  return {
    engine: new FakeEngine(),
    storage: new MemoryTarget(),
    database: 'app',
    compression: { algorithm: 'none', level: null },
    verify: true,
    clock,
    spawn: systemSpawn,
    env: process.env,
    emit: () => undefined,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('backupSingle()', () => {
  it('publishes the data and then a manifest whose checksum matches it', async () => {
    const storage = new MemoryTarget();
    const chunks = [Buffer.from('PGDMP'), Buffer.alloc(70_000, 7)];
    const events: AppEvent[] = [];
    const result = await backupSingle(
      input({ storage, engine: new FakeEngine({ chunks }), emit: (e) => events.push(e) }),
    );

    const data = storage.objects.get(result.file)!;
    expect(data).toEqual(Buffer.concat(chunks));
    const manifest = manifestOf(storage.objects);
    expect(manifest.checksum.value).toBe(createHash('sha256').update(data).digest('hex'));
    expect(manifest.sizes).toEqual({ dump: data.length, stored: data.length, database: 1000 });
    expect(manifest.database).toBe('app');
    expect(manifest.startedAt).toBe('2026-12-04T04:20:00.000Z');
    expect(manifest.fingerprint.tables).toEqual([{ schema: 'public', name: 't', rows: 3 }]);
    expect(result.file).toBe('app_20261204T042000Z.pgdump');
    expect(events.some((e) => e.kind === 'progress')).toBe(true);
  });

  it('compresses with zstd into a stream zstd can read back', async () => {
    const storage = new MemoryTarget();
    const chunks = [Buffer.from('x'.repeat(100_000))];
    const result = await backupSingle(
      input({
        storage,
        engine: new FakeEngine({ chunks }),
        compression: { algorithm: 'zstd', level: 3 },
      }),
    );
    expect(result.file).toMatch(/\.pgdump\.zst$/);
    const stored = storage.objects.get(result.file)!;
    expect(stored.length).toBeLessThan(1000);
    expect(stored.readUInt32LE(0)).toBe(0xfd2fb528);
  });

  it('picks a new name when a backup with the same second exists', async () => {
    const storage = new MemoryTarget();
    await backupSingle(input({ storage }));
    const second = await backupSingle(input({ storage }));
    expect(second.file).toBe('app_20261204T042000Z-2.pgdump');
  });

  it('keeps nothing when the dump tool fails half way, and reports its message', async () => {
    const storage = new MemoryTarget();
    const engine = new FakeEngine({
      dumpError: dumpFailure('query would be affected by row-level security'),
    });
    const error = await failure(backupSingle(input({ storage, engine })));
    expect(error.message).toContain('row-level security');
    expect(storage.objects.size).toBe(0);
    expect(storage.pending.size).toBe(0);
  });

  it('keeps nothing when the disk fills up, and exits 74', async () => {
    const storage = new MemoryTarget('memory:', { capacityBytes: 10_000 });
    const engine = new FakeEngine({
      chunks: Array.from({ length: 20 }, () => Buffer.alloc(4096, 1)),
    });
    const error = await failure(backupSingle(input({ storage, engine })));
    expect(error.code).toBe(ExitCode.io);
    expect(error.message).toMatch(/no space left/);
    expect(storage.objects.size).toBe(0);
  });

  it('keeps nothing when compression fails', async () => {
    const failingZstd: Spawn = (command, args, options) =>
      command === 'zstd'
        ? nodeSpawn('sh', ['-c', 'cat >/dev/null; echo "zstd: write error" >&2; exit 1'], options)
        : systemSpawn(command, args, options);
    const storage = new MemoryTarget();
    const error = await failure(
      backupSingle(
        input({ storage, spawn: failingZstd, compression: { algorithm: 'zstd', level: 3 } }),
      ),
    );
    expect(error.message).toContain('zstd');
    expect(storage.objects.size).toBe(0);
  });

  it('publishes nothing when the re-read after writing returns other bytes, and exits 74', async () => {
    const storage = new MemoryTarget('memory:', { flipOnReadBack: true });
    const error = await failure(backupSingle(input({ storage })));
    expect(error.code).toBe(ExitCode.io);
    expect(error.message).toMatch(/changed between writing and re-reading/);
    expect(storage.objects.size).toBe(0);
    expect(storage.pending.size).toBe(0);
  });

  it('records in the manifest whether the file was re-read before publishing', async () => {
    const checked = await backupSingle(input({ storage: new MemoryTarget() }));
    expect(checked.manifest.verified).toEqual({ afterBackup: true });
    // --no-verify skips the re-read: the same fault then goes unnoticed, and the manifest says so.
    const storage = new MemoryTarget('memory:', { flipOnReadBack: true });
    const unchecked = await backupSingle(input({ storage, verify: false }));
    expect(unchecked.manifest.verified).toEqual({ afterBackup: false });
    expect(storage.objects.has(unchecked.file)).toBe(true);
  });

  it('fails with 66 before dumping when the database does not exist', async () => {
    const engine = new FakeEngine();
    const error = await failure(backupSingle(input({ engine, database: 'nope' })));
    expect(error.code).toBe(ExitCode.noInput);
    expect(error.hint).toMatch(/list databases/);
    expect(engine.calls.filter((c) => c.startsWith('startDump'))).toEqual([]);
  });

  it('fails before dumping when the backup directory is not writable', async () => {
    const engine = new FakeEngine();
    const storage = new MemoryTarget('memory:', { readOnly: true });
    const error = await failure(backupSingle(input({ engine, storage })));
    expect(error.code).toBe(ExitCode.noPermission);
    expect(engine.calls).toEqual([]);
  });
});
