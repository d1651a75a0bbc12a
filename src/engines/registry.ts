// The one place that knows every engine implementation.
import type { EngineType } from '../manifest/manifest.js';
import type { DumpEngine, EngineDeps } from './engine.js';
import { MysqlEngine } from './mysql/mysql-engine.js';
import { PostgresEngine } from './postgres/postgres-engine.js';

/** Builds the engine for a type. */
export function createEngine(type: EngineType, deps: EngineDeps): DumpEngine {
  switch (type) {
    case 'postgres':
      return new PostgresEngine(deps);
    case 'mysql':
      return new MysqlEngine(deps);
  }
}
