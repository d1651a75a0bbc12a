// Describes a backup file that has no manifest, from its magic bytes, so it can be restored.
import { ExitCode, UserError } from '../errors.js';
import type { EngineType, Manifest } from '../manifest/manifest.js';
import type { Spawn } from '../process/run-tool.js';
import { detectFormat, type DetectedFormat } from './detect-format.js';
import { detectDumpFormat } from './dump-head.js';
import type { LocatedBackup } from './locate.js';

/** The tools {@link syntheticManifest} may run to look inside a compressed file. */
export interface ToolAccess {
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
}

/**
 * Builds a stand-in manifest for a bare dump file: compression from its first bytes, no
 * checksum and no fingerprint (so nothing can be compared), the database name from --target.
 */
export async function syntheticManifest(
  backup: LocatedBackup,
  engine: { type: EngineType; dumpFormat: string },
  target: string | undefined,
  tools: ToolAccess,
): Promise<Manifest> {
  if (target === undefined) {
    throw new UserError(`backup '${backup.dataName}' has no manifest, so its database is unknown`, {
      code: ExitCode.usage,
      hint: 'Name the database to restore into with --target NAME.',
    });
  }
  const detected = await detectFormat(backup.dataPath);
  // Refused here, before the plan creates or touches a target database.
  if (detected.encrypted !== true) {
    const dumpFormat =
      detected.compression === 'none'
        ? detected.dumpFormat
        : await detectDumpFormat({
            path: backup.dataPath,
            compression: detected.compression,
            ...tools,
          });
    assertEngineFits(backup.dataName, dumpFormat, engine);
  }
  const now = new Date(0).toISOString();
  return {
    format: 'dbbackup-manifest',
    version: 1,
    kind: 'single',
    status: 'complete',
    engine: engine.type,
    server: { flavour: 'unknown', version: '0', host: 'unknown' },
    tool: { name: 'unknown', version: '0' },
    database: target,
    dumpFormat: engine.dumpFormat,
    file: backup.dataName,
    startedAt: now,
    finishedAt: now,
    compression: { algorithm: detected.compression, level: null },
    encryption:
      detected.encrypted === true ? { format: 'age', recipients: [], passphrase: false } : null,
    sizes: { dump: 0, stored: backup.size, database: null },
    checksum: { algorithm: 'sha256', value: '' },
    fingerprint: { counts: 'beside-dump', tables: [] },
    requires: { roles: [], extensions: [] },
    verified: { afterBackup: false },
  };
}

// A PostgreSQL custom dump starts "PGDMP"; a MySQL/MariaDB dump is SQL text.
function assertEngineFits(
  name: string,
  found: DetectedFormat['dumpFormat'],
  engine: { type: EngineType; dumpFormat: string },
): void {
  const wanted = engine.dumpFormat === 'pg-custom' ? 'pg-custom' : 'sql';
  if (found === 'unknown' || found === wanted) return;
  const what = found === 'pg-custom' ? 'a PostgreSQL custom-format dump' : 'an SQL text dump';
  // The file is sound and the request is wrong: a usage error, which never marks it corrupt.
  throw new UserError(`backup '${name}' is ${what}, which ${engine.type} cannot restore`, {
    code: ExitCode.usage,
    hint: `Restore it with --db-type ${found === 'pg-custom' ? 'postgres' : 'mariadb (or mysql)'}.`,
  });
}
