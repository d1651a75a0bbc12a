// Names are data: databases, schemas, tables and roles named with quotes, spaces, `;`,
// `$(...)`, backticks, `/`, `..` and non-ASCII round-trip exactly on both engines, and no
// file is written outside the backup directory.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { myFlags } from '../helpers/mysql-case.js';
import * as my from '../helpers/mysql.js';
import { cli, dropDbs, dropRoles, tempDir } from '../helpers/pg-case.js';
import { createDb, ident, pgQuery, schemaDump, tableHashes } from '../helpers/pg.js';
import { jsonResult } from '../helpers/run-cli.js';

const tag = `${process.pid}`;
// Each name holds the characters a shell, a path or a SQL string would trip over.
const databaseNames = [
  `q'uote "dq" sp ace ${tag}`,
  `semi;colon $(touch pwned) \`id\` ${tag}`,
  `../../escape ${tag}`,
  `dir/sub/.. ${tag}`,
  `ünïcødé ✓ 名前 ${tag}`,
];
const schemaName = `s"; DROP TABLE x; -- $(id) ../`;
const tableName = `t'able \`bt\` / ..`;
const roleName = `r'o"le $(id) ${tag}`;

/** Everything under a directory, recursively, as relative paths. */
async function tree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

describe('hostile names on PostgreSQL', () => {
  let root: string;
  let backupDir: string;

  beforeAll(async () => {
    root = await tempDir();
    backupDir = join(root, 'backups');
    await dropDbs(...databaseNames);
    await dropRoles(roleName);
    await pgQuery('postgres', `CREATE ROLE ${ident(roleName)}`);
    for (const name of databaseNames) {
      await createDb(name);
      const table = `${ident(schemaName)}.${ident(tableName)}`;
      await pgQuery(name, `CREATE SCHEMA ${ident(schemaName)} AUTHORIZATION ${ident(roleName)}`);
      await pgQuery(name, `CREATE TABLE ${table} (${ident('c;ol $(x)')} text, n int)`);
      await pgQuery(name, `INSERT INTO ${table} SELECT $1 || g, g FROM generate_series(1, 50) g`, [
        name,
      ]);
      await pgQuery(name, `ALTER TABLE ${table} OWNER TO ${ident(roleName)}`);
      await pgQuery(name, `GRANT SELECT ON ${table} TO PUBLIC`);
      await pgQuery(name, `COMMENT ON TABLE ${table} IS '${name.replace(/'/g, "''")}'`);
    }
  }, 120_000);

  afterAll(async () => {
    await dropDbs(...databaseNames);
    await dropRoles(roleName);
    await fs.rm(root, { recursive: true, force: true });
  });

  it.each(databaseNames)('%j is backed up and restored exactly under its name', async (name) => {
    const schema = await schemaDump(name);
    const hashes = await tableHashes(name);
    const made = await cli(['backup', 'single', name, '--backup-dir', backupDir, '--json'], {
      cwd: root,
    });
    expect(made.code, made.stderr).toBe(0);
    const file = String(jsonResult(made).file);
    expect(file.startsWith(`${backupDir}/`)).toBe(true);
    expect(file.slice(backupDir.length + 1)).not.toContain('/');

    await dropDbs(name);
    const restored = await cli(['restore', 'single', file, '--create', '--confirm'], {
      cwd: root,
    });
    expect(restored.code, restored.stderr).toBe(0);
    expect(await tableHashes(name)).toEqual(hashes);
    expect(await schemaDump(name)).toBe(schema);
  });

  it('writes nothing outside the backup directory', async () => {
    expect((await fs.readdir(root)).sort()).toEqual(['backups']);
    const files = await tree(backupDir);
    expect(files.every((f) => !f.includes('/'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.manifest.json'))).toHaveLength(databaseNames.length);
  });
});

describe('hostile names on MariaDB', () => {
  let root: string;
  let backupDir: string;
  // MariaDB keeps `/` and `.` in names (stored as @002f, @002e on disk); no trailing space.
  const names = databaseNames.map((n) => n.replace('名前', 'nom'));
  const table = 't`able "dq" $(id) / ..';
  const trigger = "tr'ig;ger";

  beforeAll(async () => {
    root = await tempDir();
    backupDir = join(root, 'backups');
    await my.dropDbs(...names);
    for (const name of names) {
      await my.createDb(name);
      const inDb = { database: name };
      await my.myQuery(
        `CREATE TABLE ${my.ident(table)} (${my.ident('c;ol `x`')} VARCHAR(200), n INT)`,
        [],
        inDb,
      );
      await my.myQuery(
        `INSERT INTO ${my.ident(table)} SELECT CONCAT(?, seq), seq FROM seq_1_to_50`,
        [name],
        inDb,
      );
      await my.myQuery(
        `CREATE TRIGGER ${my.ident(trigger)} BEFORE INSERT ON ${my.ident(table)} ` +
          'FOR EACH ROW SET NEW.n = NEW.n + 1',
        [],
        inDb,
      );
    }
  }, 120_000);

  afterAll(async () => {
    await my.dropDbs(...names);
    await fs.rm(root, { recursive: true, force: true });
  });

  it.each(names)('%j is backed up and restored exactly under its name', async (name) => {
    const created = await my.showCreateAll(name);
    const hashes = await my.tableHashes(name);
    const made = await cli(
      ['backup', 'single', name, '--backup-dir', backupDir, '--json', ...myFlags],
      { cwd: root },
    );
    expect(made.code, made.stderr).toBe(0);
    const file = String(jsonResult(made).file);
    expect(file.slice(backupDir.length + 1)).not.toContain('/');

    await my.dropDbs(name);
    const restored = await cli(['restore', 'single', file, '--create', '--confirm', ...myFlags], {
      cwd: root,
    });
    expect(restored.code, restored.stderr).toBe(0);
    expect(await my.tableHashes(name)).toEqual(hashes);
    expect(await my.showCreateAll(name)).toEqual(created);
  });

  it('writes nothing outside the backup directory', async () => {
    expect((await fs.readdir(root)).sort()).toEqual(['backups']);
    const files = await tree(backupDir);
    expect(files.every((f) => !f.includes('/'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.manifest.json'))).toHaveLength(names.length);
  });
});
