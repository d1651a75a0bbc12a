// Shared cases 006, 007, 009, 015 and 021: setup, backup, restore, then each case.md check.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupWithCli,
  cli,
  databaseNames,
  dropDbs,
  dropRoles,
  loadCase,
  psqlRows,
  restoreWithCli,
  tempDir,
  type BackupMade,
} from '../helpers/pg-case.js';
import { uniqueName } from '../helpers/pg.js';

/** One SQL check from a case.md and the psql output it must give (`a|b` per row). */
interface SqlCheck {
  sql: string;
  expected: string[];
}

/** A case that must round-trip: its setup, the roles it creates and its checks, in order. */
interface RoundTripCase {
  id: string;
  title: string;
  roles?: string[];
  checks: SqlCheck[];
}

const cases: RoundTripCase[] = [
  {
    id: '006',
    title: 'extensions in their own schema',
    checks: [
      {
        sql:
          'SELECT extname, nspname FROM pg_extension e JOIN pg_namespace n ' +
          "ON n.oid=e.extnamespace WHERE extname IN ('citext','pgcrypto') ORDER BY 1",
        expected: ['citext|ext', 'pgcrypto|ext'],
      },
      {
        sql: "SET search_path = public, ext; SELECT id FROM accounts WHERE email = 'ALICE@example.TEST'",
        expected: ['1'],
      },
      {
        sql: "SELECT hash_token('token-2') = token_hash FROM accounts WHERE id=2",
        expected: ['t'],
      },
    ],
  },
  {
    id: '007',
    title: 'large objects with owner, grant and comment',
    roles: ['bkc_lo_owner', 'bkc_lo_reader'],
    checks: [
      { sql: 'SELECT count(*) FROM pg_largeobject_metadata', expected: ['4'] },
      {
        sql:
          'SELECT bool_and(md5(lo_get(d.body)) = e.md5) FROM documents d ' +
          'JOIN lo_expected e USING (id)',
        expected: ['t'],
      },
      {
        sql: 'SELECT DISTINCT pg_get_userbyid(lomowner) FROM pg_largeobject_metadata',
        expected: ['bkc_lo_owner'],
      },
      // has_largeobject_privilege is PG17+; on 15 the case checks lomacl.
      {
        sql: "SELECT bool_and(lomacl::text LIKE '%bkc_lo_reader=r/%') FROM pg_largeobject_metadata",
        expected: ['t'],
      },
      {
        sql:
          'SELECT count(*) FROM pg_largeobject_metadata m ' +
          "WHERE obj_description(m.oid, 'pg_largeobject') = 'attachment'",
        expected: ['4'],
      },
    ],
  },
  {
    id: '009',
    title: 'sequence and identity positions',
    // In this order: each check moves a sequence.
    checks: [
      { sql: "SELECT nextval('orders_id_seq')", expected: ['11'] },
      { sql: "INSERT INTO events(kind) VALUES ('d') RETURNING id", expected: ['1030'] },
      { sql: "SELECT nextval('invoice_no'), nextval('invoice_no')", expected: ['200|100'] },
      { sql: "SELECT nextval('ticket_seq')", expected: ['500'] },
    ],
  },
  {
    id: '015',
    title: 'a 40 MB bytea row, every byte value and awkward text',
    checks: [
      {
        sql:
          "SELECT count(*) FROM (SELECT 'blobs' t, id, md5(data) m FROM blobs UNION ALL " +
          "SELECT 'texts', id, md5(body) FROM texts) x JOIN expected e USING (t, id) " +
          'WHERE x.m = e.md5',
        expected: ['6'],
      },
      { sql: 'SELECT length(data) FROM blobs WHERE id = 2', expected: [String(40 * 1024 * 1024)] },
    ],
  },
  {
    id: '021',
    title: 'an empty database with one commented schema',
    checks: [
      {
        sql: "SELECT obj_description('reserved'::regnamespace, 'pg_namespace')",
        expected: ['kept for later use'],
      },
    ],
  },
];

const execFileText = async (file: string, args: string[]) =>
  (await promisify(execFile)(file, args)).stdout;
const databases: string[] = [];
let backupDir: string;

beforeAll(async () => {
  backupDir = await tempDir();
});

afterAll(async () => {
  await dropDbs(...databases);
  await dropRoles(...cases.flatMap((c) => c.roles ?? []));
  await fs.rm(backupDir, { recursive: true, force: true });
});

function newDb(prefix: string): string {
  const name = uniqueName(prefix);
  databases.push(name);
  return name;
}

describe.each(cases)('case $id: $title', (c) => {
  const source = newDb(`dbb_c${c.id}`);
  const target = newDb(`dbb_c${c.id}_r`);
  let made: BackupMade;

  beforeAll(async () => {
    await loadCase(c.id, source);
    made = await backupWithCli(source, backupDir);
  });

  it('backs up with exit 0 and keeps a file that verifies', async () => {
    const stat = await fs.stat(made.file);
    expect(stat.size).toBe(made.manifest.sizes.stored);
    const verify = await cli(['verify', made.file]);
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('restores so that every case.md check holds', async () => {
    await restoreWithCli(made.file, target);
    for (const check of c.checks) {
      expect(await psqlRows(target, check.sql), check.sql).toEqual(check.expected);
    }
  });
});

describe('case 006: restore over an existing copy (--clean)', () => {
  it('succeeds without dropping an extension other objects use, and the checks hold', async () => {
    const source = newDb('dbb_c006c');
    const target = newDb('dbb_c006c_r');
    await loadCase('006', source);
    const made = await backupWithCli(source, backupDir);
    await restoreWithCli(made.file, target);

    const refused = await cli(['restore', 'single', made.file, '--target', target, '--confirm']);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/is not empty/);

    const again = await cli(['restore', 'single', made.file, '--target', target, '--clean']);
    expect(again.code, again.stderr).toBe(0);
    const confirmed = await cli([
      'restore',
      'single',
      made.file,
      '--target',
      target,
      '--clean',
      '--confirm',
    ]);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    for (const check of cases[0]!.checks) {
      expect(await psqlRows(target, check.sql), check.sql).toEqual(check.expected);
    }
  });
});

describe('case 021: empty database', () => {
  it('restores under its original name after the source was dropped', async () => {
    const source = newDb('dbb_c021d');
    await loadCase('021', source);
    const made = await backupWithCli(source, backupDir);
    expect(made.manifest.fingerprint.tables).toEqual([]);
    await dropDbs(source);

    const restored = await cli(['restore', 'single', made.file, '--create', '--confirm']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await databaseNames()).toContain(source);
    expect(
      await psqlRows(source, "SELECT obj_description('reserved'::regnamespace, 'pg_namespace')"),
    ).toEqual(['kept for later use']);
  });

  // The cluster check of this case runs on a throwaway server in pg-cluster.test.ts.
});

describe('case 006: target without the extension files', () => {
  const extension = `bkc_ext_${process.pid}`;
  let extensionDir: string;

  beforeAll(async () => {
    extensionDir = join((await execFileText('pg_config', ['--sharedir'])).trim(), 'extension');
    await fs.writeFile(
      join(extensionDir, `${extension}.control`),
      "default_version = '1.0'\nrelocatable = true\n",
    );
    await fs.writeFile(
      join(extensionDir, `${extension}--1.0.sql`),
      'CREATE FUNCTION bkc_ext_answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;\n',
    );
  });

  afterAll(async () => {
    await fs.rm(join(extensionDir, `${extension}.control`), { force: true });
    await fs.rm(join(extensionDir, `${extension}--1.0.sql`), { force: true });
  });

  it('names the missing extension before the restore starts and exits non-zero', async () => {
    const source = newDb('dbb_c006x');
    const target = newDb('dbb_c006x_r');
    await loadCase('006', source);
    await psqlRows(source, `CREATE EXTENSION ${extension}`);
    const made = await backupWithCli(source, backupDir);
    expect(made.manifest.requires.extensions).toContain(extension);

    // The files vanish: the target server no longer offers the extension.
    await fs.rm(join(extensionDir, `${extension}.control`));
    const result = await cli([
      'restore',
      'single',
      made.file,
      '--target',
      target,
      '--create',
      '--confirm',
    ]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`'${extension}'`);
    expect(result.stdout).not.toMatch(/complete/);
    expect(await databaseNames()).not.toContain(target);
  });
});
