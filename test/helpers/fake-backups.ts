// Writes backups by hand (a data file and a valid manifest) with any start time, for catalog,
// retention and health tests that need histories no real clock could produce.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { formatManifest, type Manifest } from '../../src/manifest/manifest.js';
import { planDataName } from '../../src/plan/backup-name.js';

/** What a handmade backup looks like. */
export interface FakeBackup {
  database: string;
  startedAt: Date;
  engine?: 'postgres' | 'mysql';
  verified?: boolean;
  encryption?: unknown;
  content?: string;
}

/** Writes the pair and returns the data file's name. */
export async function writeFakeBackup(dir: string, backup: FakeBackup): Promise<string> {
  const content =
    backup.content ?? `dump of ${backup.database} at ${backup.startedAt.toISOString()}`;
  const file = planDataName({
    database: backup.database,
    startedAt: backup.startedAt,
    extension: backup.engine === 'mysql' ? 'sql' : 'pgdump',
    compressionSuffix: '',
  });
  const manifest = {
    format: 'dbbackup-manifest',
    version: 1,
    kind: 'single',
    status: 'complete',
    engine: backup.engine ?? 'postgres',
    server: { flavour: 'postgresql', version: '15.0', host: '/var/run/postgresql:5432' },
    tool: { name: 'pg_dump', version: '15.0' },
    database: backup.database,
    dumpFormat: 'pg-custom',
    file,
    startedAt: backup.startedAt.toISOString(),
    finishedAt: new Date(backup.startedAt.getTime() + 1000).toISOString(),
    compression: { algorithm: 'none', level: null },
    sizes: { dump: content.length, stored: content.length, database: 1 << 20 },
    checksum: { algorithm: 'sha256', value: createHash('sha256').update(content).digest('hex') },
    fingerprint: { counts: 'same-snapshot', tables: [] },
    requires: { roles: [], extensions: [] },
    verified: { afterBackup: backup.verified ?? true },
    ...(backup.encryption === undefined ? {} : { encryption: backup.encryption }),
  } as unknown as Manifest;
  await fs.writeFile(join(dir, file), content, { mode: 0o600 });
  await fs.writeFile(join(dir, `${file}.manifest.json`), formatManifest(manifest), { mode: 0o600 });
  return file;
}

/** Start times `count` days apart, ending `endHoursAgo` before `now`. */
export function dailyTimes(now: Date, count: number, endHoursAgo = 1): Date[] {
  const end = now.getTime() - endHoursAgo * 3_600_000;
  return Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * 86_400_000));
}
