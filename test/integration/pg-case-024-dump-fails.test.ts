// Case 024: pg_dump fails part way (FORCE RLS as a non-superuser); nothing may look like a backup.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupWithCli,
  cli,
  dropDbs,
  dropRoles,
  backupEntries,
  loadCase,
  tempDir,
  userErrorShape,
  type BackupMade,
} from '../helpers/pg-case.js';
import { uniqueName } from '../helpers/pg.js';

const source = uniqueName('dbb_c024');
let backupDir: string;
let older: BackupMade;

beforeAll(async () => {
  backupDir = await tempDir();
  await loadCase('024', source);
  older = await backupWithCli(source, backupDir);
});

afterAll(async () => {
  await dropDbs(source);
  await dropRoles('bkc_limited');
  await fs.rm(backupDir, { recursive: true, force: true });
});

async function fingerprintDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await backupEntries(dir)) {
    const bytes = await fs.readFile(join(dir, name));
    out[name] = createHash('sha256').update(bytes).digest('hex');
  }
  return out;
}

describe('case 024: a dump that fails part way', () => {
  it('exits non-zero with pg_dump’s message, leaves no file and keeps the older backup', async () => {
    const before = await fingerprintDir(backupDir);
    expect(Object.keys(before)).toHaveLength(2);

    const result = await cli([
      'backup',
      'single',
      source,
      '--backup-dir',
      backupDir,
      '--user',
      'bkc_limited',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'query would be affected by row-level security policy for table "b_secret"',
    );
    expect(userErrorShape(result.stderr)).toMatchObject({ stack: false });
    expect(result.stdout).not.toMatch(/complete/);
    expect(await fingerprintDir(backupDir)).toEqual(before);

    const verify = await cli(['verify', older.file]);
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('fails the same way with every compression, keeping nothing', async () => {
    for (const compression of ['gzip', 'none']) {
      const dir = await tempDir();
      try {
        const result = await cli([
          'backup',
          'single',
          source,
          '--backup-dir',
          dir,
          '--user',
          'bkc_limited',
          '--compression',
          compression,
        ]);
        expect(result.code, compression).not.toBe(0);
        expect(await backupEntries(dir), compression).toEqual([]);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }
  });
});
