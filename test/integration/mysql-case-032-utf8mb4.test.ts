// Case 032: 4-byte UTF-8 next to utf8mb3 and latin1 columns survives byte for byte.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/pg-case.js';
import { clientRows, dropDbs, uniqueName } from '../helpers/mysql.js';
import { loadMyCase, myBackup, myRestoreOk, type MyBackup } from '../helpers/mysql-case.js';

const source = uniqueName('dbb_my032');
const target = uniqueName('dbb_my032_r');
let backupDir: string;
let backup: MyBackup;

const charsets = `SELECT COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'messages' AND CHARACTER_SET_NAME IS NOT NULL
  ORDER BY ORDINAL_POSITION`;

beforeAll(async () => {
  await loadMyCase('032', source);
  backupDir = await tempDir();
  backup = await myBackup(source, backupDir);
  await myRestoreOk(backup.file, target);
});

afterAll(async () => {
  await dropDbs(source, target);
  await fs.rm(backupDir, { recursive: true, force: true });
});

describe('case 032: utf8mb4 emoji', () => {
  it('restores every value byte for byte, with no character turned into ?', async () => {
    const exact = `SELECT COUNT(*) FROM messages m JOIN expected e USING (id)
      WHERE HEX(m.body) = e.body_hex AND HEX(m.legacy3) <=> e.l3_hex AND HEX(m.latin) <=> e.latin_hex`;
    expect(await clientRows(target, exact)).toEqual(['4']);
    expect(await clientRows(target, "SELECT COUNT(*) FROM messages WHERE body LIKE '%?%'")).toEqual(
      ['0'],
    );
  });

  it('keeps the character set of every column', async () => {
    expect(await clientRows(target, charsets)).toEqual([
      'body\tutf8mb4',
      'legacy3\tutf8mb3',
      'latin\tlatin1',
    ]);
    expect(await clientRows(target, charsets)).toEqual(await clientRows(source, charsets));
  });

  it('writes a dump that talks utf8mb4 to the server', () => {
    const dump = execFileSync('zstd', ['-dc', backup.file]).toString('utf8');
    expect(dump).toMatch(/^\/\*!40101 SET NAMES utf8mb4 \*\/;$/m);
    expect(dump).toContain('smile 😀 party 🎉');
  });
});
