// The DumpEngine conformance suite, run against every engine on a real server.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DumpEngine, DumpFacts } from '../../src/engines/engine.js';
import { ExitCode, UserError } from '../../src/errors.js';
import type { Manifest } from '../../src/manifest/manifest.js';

/** What the suite needs from one engine's test setup. */
export interface EngineFixture {
  name: string;
  createEngine: () => DumpEngine;
  /** Creates database `name` holding table `items` with exactly 3 rows. */
  seed: (name: string) => Promise<void>;
  /** Drops database `name` if it exists. */
  drop: (name: string) => Promise<void>;
  uniqueName: () => string;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function manifestFor(engine: DumpEngine, database: string, facts: DumpFacts): Manifest {
  const now = new Date().toISOString();
  return {
    format: 'dbbackup-manifest',
    version: 1,
    kind: 'single',
    status: 'complete',
    engine: engine.type,
    server: { flavour: 'test', version: '0', host: 'test' },
    tool: facts.tool,
    database,
    dumpFormat: engine.dumpFormat,
    file: 'x',
    startedAt: now,
    finishedAt: now,
    compression: { algorithm: 'none', level: null },
    sizes: { dump: 0, stored: 0, database: null },
    checksum: { algorithm: 'sha256', value: '' },
    fingerprint: { counts: facts.counts, tables: facts.tables },
    requires: { roles: facts.roles, extensions: facts.extensions },
    verified: { afterBackup: false },
  };
}

/** Registers the suite for one engine. */
export function runEngineSuite(fixture: EngineFixture): void {
  describe(`DumpEngine: ${fixture.name}`, () => {
    const source = fixture.uniqueName();
    const target = fixture.uniqueName();
    let engine: DumpEngine;
    let dump: Buffer;
    let facts: DumpFacts;

    beforeAll(async () => {
      engine = fixture.createEngine();
      await fixture.seed(source);
      const run = await engine.startDump(source);
      [dump, facts] = await Promise.all([readAll(run.stream), run.done]);
    });

    afterAll(async () => {
      await fixture.drop(source);
      await fixture.drop(target);
      await engine.close();
    });

    it('reports the server flavour and version', async () => {
      const server = await engine.probeServer();
      expect(server.version).toMatch(/^\d+\.\d+/);
      expect(server.major).toBeGreaterThan(0);
    });

    it('finds client tools that fit the server', async () => {
      const tools = await engine.checkTools(await engine.probeServer());
      expect(tools.length).toBeGreaterThan(0);
      expect(tools.filter((t) => !t.fits)).toEqual([]);
    });

    it('lists the seeded database with a size and finds it by name', async () => {
      const listed = await engine.listDatabases();
      expect(listed.find((db) => db.name === source)?.sizeBytes).toBeGreaterThan(0);
      expect((await engine.findDatabase(source))?.name).toBe(source);
      expect(await engine.findDatabase(`${source}_missing`)).toBeUndefined();
    });

    it('fingerprints every table of the dump with exact row counts', () => {
      expect(dump.length).toBeGreaterThan(0);
      expect(facts.tables.find((t) => t.name === 'items')?.rows).toBe(3);
    });

    it('reads a whole dump and finds every table in it', async () => {
      const report = await engine.checkStructure(
        Readable.from([dump]),
        manifestFor(engine, source, facts),
      );
      expect(report.missingTables).toEqual([]);
      expect(report.tablesWithData).toBeGreaterThan(0);
    });

    it('refuses a dump cut in half with a data error', async () => {
      const half = dump.subarray(0, Math.floor(dump.length / 2));
      const error = await engine
        .checkStructure(Readable.from([half]), manifestFor(engine, source, facts))
        .then(
          (report) => (report.missingTables.length > 0 ? 'missing tables' : undefined),
          (e: unknown) => e,
        );
      if (error !== 'missing tables') {
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).code).toBe(ExitCode.data);
      }
    });

    it('creates an empty database, restores into it and counts the same rows', async () => {
      await engine.createDatabase(target);
      expect(await engine.countObjects(target)).toBe(0);
      await engine.restore({
        input: Readable.from([dump]),
        target,
        manifest: manifestFor(engine, source, facts),
        clean: false,
        jobs: 1,
        noOwner: false,
        workdir: '/tmp',
      });
      expect(await engine.countObjects(target)).toBeGreaterThan(0);
      const rows = await engine.countRows(target);
      expect(rows).toEqual(facts.tables);
    });

    it('drops a database', async () => {
      await engine.dropDatabase(target);
      expect(await engine.findDatabase(target)).toBeUndefined();
    });

    it('fails a dump of a missing database with exit code 66', async () => {
      const error = await engine.startDump(`${source}_missing`).then(
        async (run) => {
          run.stream.resume();
          await run.done;
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe(ExitCode.noInput);
    });
  });
}
