// The staged-archive index: a piped pg_dump archive gets the data offsets pg_dump itself writes
// into a seekable file, and pg_restore -j restores the result exactly.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDataOffsets } from '../../src/engines/postgres/custom-archive/data-offsets.js';
import { FileReader } from '../../src/engines/postgres/custom-archive/file-reader.js';
import { OffsetState, readToc, type Toc } from '../../src/engines/postgres/custom-archive/toc.js';
import { createDb, dropDb, pgQuery, schemaDump, tableHashes, uniqueName } from '../helpers/pg.js';
import { testdir } from '../helpers/testdir.js';

const run = promisify(execFile);
const env = { ...process.env, PGHOST: '/var/run/postgresql', PGUSER: 'root' };

const source = uniqueName('dbb_offsets');
const restored = uniqueName('dbb_offsets_r');
let dir: string;

const setupSql = `
CREATE TABLE wide (id int PRIMARY KEY, body text);
INSERT INTO wide SELECT g, repeat(md5(g::text), 1 + g % 40) FROM generate_series(1, 20000) g;
CREATE TABLE empty_one (id int);
CREATE TABLE bytes (id int, b bytea);
INSERT INTO bytes SELECT g, decode(repeat(md5(g::text), 200), 'hex') FROM generate_series(1, 300) g;
CREATE MATERIALIZED VIEW wide_summary AS SELECT count(*) AS n FROM wide;
SELECT lo_from_bytea(0, decode(repeat('ab', 70000), 'hex'));
SELECT lo_from_bytea(0, 'small');
CREATE SEQUENCE counter START 41;
SELECT nextval('counter');
`;

/** pg_dump -Fc -Z0 into a pipe (no offsets) and into a file (pg_dump writes the offsets). */
async function dumpBoth(): Promise<{ piped: string; seekable: string }> {
  const piped = join(dir, 'piped.dump');
  const seekable = join(dir, 'seekable.dump');
  const child = spawn('pg_dump', ['-Fc', '-Z0', '-d', source], { env });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump ${code}`))));
  });
  await Promise.all([pipeline(child.stdout, createWriteStream(piped)), exited]);
  await run('pg_dump', ['-Fc', '-Z0', '-f', seekable, '-d', source], { env });
  return { piped, seekable };
}

async function tocOf(path: string, bufferBytes?: number): Promise<Toc> {
  const handle = await fs.open(path, 'r');
  try {
    return await readToc(new FileReader(handle, bufferBytes));
  } finally {
    await handle.close();
  }
}

const dataEntries = (toc: Toc) =>
  toc.entries
    .filter((e) => e.offsetState !== OffsetState.noData)
    .map((e) => [e.dumpId, e.desc, e.offsetState, e.dataAt]);

beforeAll(async () => {
  dir = await testdir();
  await createDb(source);
  await pgQuery(source, setupSql);
}, 60_000);

afterAll(async () => {
  await dropDb(source);
  await dropDb(restored);
  await fs.rm(dir, { recursive: true, force: true });
});

describe('data offsets of a piped custom archive', () => {
  it('match the ones pg_dump writes into a file, read through any buffer size', async () => {
    const { piped, seekable } = await dumpBoth();
    const before = await tocOf(piped);
    expect(before.entries.some((e) => e.offsetState === OffsetState.notSet)).toBe(true);

    const small = join(dir, 'small-buffer.dump');
    await fs.copyFile(piped, small);
    const result = await addDataOffsets(piped);
    // A 64-byte buffer puts integers, strings and chunks across every refill boundary.
    expect(await addDataOffsets(small, 64)).toEqual(result);

    const expected = dataEntries(await tocOf(seekable));
    expect(expected.length).toBe(4); // wide, empty_one, bytes and the large objects
    expect(result).toEqual({ indexed: expected.length });
    expect(dataEntries(await tocOf(piped))).toEqual(expected);
    expect(dataEntries(await tocOf(small, 64))).toEqual(expected);
    // Buffer.equals: vitest's deep equality walks megabytes byte by byte, synchronously.
    expect((await fs.readFile(small)).equals(await fs.readFile(piped))).toBe(true);
  });

  it('let pg_restore -j2 restore the archive exactly', async () => {
    const piped = join(dir, 'piped.dump');
    await createDb(restored);
    await run('pg_restore', ['-j2', '--exit-on-error', '-d', restored, piped], { env });
    expect(await schemaDump(restored)).toBe(await schemaDump(source));
    expect(await tableHashes(restored)).toEqual(await tableHashes(source));
    const [objects] = await pgQuery<{ n: string }>(
      restored,
      `SELECT (SELECT count(*) FROM pg_largeobject_metadata)::text || '/' ||
              (SELECT n FROM wide_summary)::text || '/' ||
              (SELECT last_value FROM counter)::text AS n`,
    );
    expect(objects!.n).toBe('2/20000/41');
  });

  it('are written once: a second pass finds nothing left to index', async () => {
    expect(await addDataOffsets(join(dir, 'piped.dump'))).toEqual({ indexed: 0 });
  });

  it('leave an archive they do not understand untouched', async () => {
    const piped = join(dir, 'piped.dump');
    const original = await fs.readFile(piped);

    const cases: [string, Buffer][] = [
      [
        'newer version',
        Buffer.concat([original.subarray(0, 6), Buffer.from([99]), original.subarray(7)]),
      ],
      ['truncated', original.subarray(0, Math.floor(original.length / 2))],
      ['not an archive', Buffer.from('-- plain SQL\nSELECT 1;\n')],
    ];
    for (const [name, bytes] of cases) {
      const path = join(dir, `${name}.dump`);
      await fs.writeFile(path, bytes);
      const result = await addDataOffsets(path);
      expect(result, name).toHaveProperty('skipped');
      expect((await fs.readFile(path)).equals(bytes), name).toBe(true);
    }
  });
});
