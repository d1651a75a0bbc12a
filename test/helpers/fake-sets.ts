// Writes backup sets by hand (set plan, member files and manifests, set manifest) with any start
// time, for catalog and retention tests of cluster histories no real clock could produce.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { setDirName } from '../../src/jobs/cluster/set-store.js';
import { formatManifest, type Manifest } from '../../src/manifest/manifest.js';
import {
  formatSetJson,
  type SetManifest,
  type SetMember,
  type SetPlan,
} from '../../src/manifest/set-manifest.js';
import { planDataName } from '../../src/plan/backup-name.js';

/**
 * How a handmade set ends: `complete`; `incomplete` (its first database failed); `unfinished`
 * (no set manifest, as a killed run leaves it); `truncated` (a member file cut short).
 */
export type FakeSetState = 'complete' | 'incomplete' | 'unfinished' | 'truncated';

/** What a handmade set looks like. */
export interface FakeSet {
  startedAt: Date;
  state?: FakeSetState;
  host?: string;
  databases?: string[];
  encryption?: unknown;
}

/** The host fake sets are taken from unless told otherwise. */
export const fakeHost = '127.0.0.1:5432';

/** Writes the set directory and returns its name. */
export async function writeFakeSet(dir: string, set: FakeSet): Promise<string> {
  const host = set.host ?? fakeHost;
  const databases = set.databases ?? ['app', 'sales'];
  const state = set.state ?? 'complete';
  const name = setDirName(host, set.startedAt);
  const path = join(dir, name);
  await fs.mkdir(path, { mode: 0o700 });
  const server = { flavour: 'postgresql', version: '15.0', host };
  const plan: SetPlan = {
    format: 'dbbackup-set-plan',
    version: 1,
    engine: 'postgres',
    server,
    startedAt: set.startedAt.toISOString(),
    exclude: [],
    databases: databases.map((d) => ({ name: d, sizeBytes: 1 << 20 })),
  };
  await fs.writeFile(join(path, 'set.plan.json'), formatSetJson(plan), { mode: 0o600 });

  const globals = await writeMember(path, set, null);
  const members: SetMember[] = [];
  for (const [i, database] of databases.entries()) {
    if (state === 'incomplete' && i === 0) {
      const error = {
        code: 77,
        message: `permission denied for database "${database}"`,
        hint: null,
      };
      members.push({ database, status: 'failed', error });
    } else members.push(await writeMember(path, set, database));
  }
  const first = members.find((m) => m.status === 'complete');
  if (state === 'truncated' && first?.status === 'complete') {
    await fs.truncate(join(path, first.file), 3);
  }
  if (state === 'unfinished') return name;

  const manifest: SetManifest = {
    format: 'dbbackup-manifest',
    version: 1,
    kind: 'cluster',
    status: state === 'incomplete' ? 'incomplete' : 'complete',
    engine: 'postgres',
    server,
    startedAt: set.startedAt.toISOString(),
    finishedAt: new Date(set.startedAt.getTime() + 60_000).toISOString(),
    runs: 1,
    exclude: [],
    globals,
    members,
  };
  await fs.writeFile(join(path, 'set.manifest.json'), formatSetJson(manifest), { mode: 0o600 });
  return name;
}

async function writeMember(path: string, set: FakeSet, database: string | null) {
  const label = database ?? 'globals';
  const content = `dump of ${label} at ${set.startedAt.toISOString()}`;
  const file = planDataName({
    database: label,
    startedAt: set.startedAt,
    extension: database === null ? 'sql' : 'pgdump',
    compressionSuffix: '',
  });
  const checksum = { algorithm: 'sha256' as const, value: sha256(content) };
  const sizes = { dump: content.length, stored: content.length, database: 1 << 20 };
  const manifest = {
    format: 'dbbackup-manifest',
    version: 1,
    kind: 'single',
    status: 'complete',
    engine: 'postgres',
    server: { flavour: 'postgresql', version: '15.0', host: set.host ?? fakeHost },
    tool: { name: database === null ? 'pg_dumpall' : 'pg_dump', version: '15.0' },
    database: label,
    dumpFormat: database === null ? 'globals-sql' : 'pg-custom',
    file,
    startedAt: set.startedAt.toISOString(),
    finishedAt: set.startedAt.toISOString(),
    compression: { algorithm: 'none', level: null },
    encryption: set.encryption ?? null,
    sizes,
    checksum,
    fingerprint: { counts: 'same-snapshot', tables: [] },
    requires: { roles: [], extensions: [] },
    verified: { afterBackup: true },
  } as unknown as Manifest;
  await fs.writeFile(join(path, file), content, { mode: 0o600 });
  await fs.writeFile(join(path, `${file}.manifest.json`), formatManifest(manifest), {
    mode: 0o600,
  });
  const member: SetMember = {
    database,
    status: 'complete',
    file,
    manifestFile: `${file}.manifest.json`,
    checksum,
    sizes,
    startedAt: set.startedAt.toISOString(),
    finishedAt: set.startedAt.toISOString(),
    kept: false,
    warnings: [],
  };
  return member;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
