// Presents an engine's globals dump as a one-database engine, so backupSingle writes it.
import type { DumpEngine, DumpRun, GlobalsFacts } from '../../engines/engine.js';
import type { Manifest } from '../../manifest/manifest.js';

/** The `dumpFormat` of a globals file; its manifest's `database` is {@link globalsLabel}. */
export const globalsFormat = 'globals-sql';

/** The name a globals file and its manifest go by in place of a database name. */
export const globalsLabel = 'globals';

/** Whether a member manifest describes the globals rather than a database. */
export function isGlobalsManifest(manifest: Pick<Manifest, 'dumpFormat'>): boolean {
  return manifest.dumpFormat === globalsFormat;
}

/** The adapter and what its last dump reported. */
export interface GlobalsEngine {
  engine: DumpEngine;
  /** Facts of the last finished globals dump (passwords, warnings). */
  facts(): GlobalsFacts | undefined;
}

/**
 * Wraps `engine` so that `startDump` dumps the globals and `findDatabase` knows the one
 * pseudo-database {@link globalsLabel}. Everything else is the engine's own, so the file goes
 * through the same compression, encryption, checksum and atomic publishing as any database.
 */
export function globalsEngine(engine: DumpEngine): GlobalsEngine {
  let facts: GlobalsFacts | undefined;
  const startDump = async (): Promise<DumpRun> => {
    const run = await engine.startGlobalsDump();
    const done = run.done.then((result) => {
      facts = result;
      return {
        tool: result.tool,
        tables: [],
        counts: 'same-snapshot' as const,
        roles: [],
        extensions: [],
      };
    });
    done.catch(() => undefined);
    return { stream: run.stream, done, cancel: () => run.cancel() };
  };
  const overrides: Partial<Record<keyof DumpEngine, unknown>> = {
    dumpFormat: globalsFormat,
    extension: engine.globalsExtension,
    findDatabase: (name: string) =>
      Promise.resolve(name === globalsLabel ? { name, sizeBytes: 0 } : undefined),
    startDump,
    // The globals come from their own tool through startDump, never the database dump's path.
    startDumpInto: undefined,
    restoreFromPipe: undefined,
  };
  const proxy = new Proxy(engine, {
    get(target, key) {
      if (typeof key === 'string' && key in overrides) return overrides[key as keyof DumpEngine];
      const value: unknown = Reflect.get(target, key, target);
      // Engines keep private fields: their methods must run with the engine itself as `this`.
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { engine: proxy, facts: () => facts };
}
