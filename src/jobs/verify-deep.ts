// Deep verification: restore into a throwaway database and compare every table with the manifest.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { DumpEngine } from '../engines/engine.js';
import { ExitCode, UserError } from '../errors.js';
import type { Emit } from '../events/events.js';
import type { Manifest, TableFingerprint } from '../manifest/manifest.js';
import type { Spawn } from '../process/run-tool.js';
import type { LocatedBackup } from './locate.js';
import { settleReading } from './read-backup.js';
import { openCountedBackup } from './read-counted.js';
import type { BackupUnlocker } from './unlock-backup.js';

/** Inputs of {@link restoreAndCompare}. */
export interface DeepVerifyInput {
  backup: LocatedBackup;
  manifest: Manifest;
  /** Connected to the server to restore into (the configured one or a temporary instance). */
  engine: DumpEngine;
  /** Where that server is, for messages. */
  where: string;
  /** Restore without owners and grants: a temporary instance lacks the roles. */
  noOwner: boolean;
  workdir: string;
  unlocker?: BackupUnlocker;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  emit: Emit;
  clock: Clock;
}

/** One table of the comparison: the manifest's row count and the restored one. */
export interface TableComparison {
  table: string;
  expected: number | null;
  restored: number | null;
  ok: boolean;
}

/** The evidence of a deep verify that passed. */
export interface DeepVerifyReport {
  where: string;
  /** The throwaway database, dropped again. */
  database: string;
  restoreMs: number;
  tables: TableComparison[];
}

/** Restores into a uniquely named database, compares, and always drops it; 65 on a mismatch. */
export async function restoreAndCompare(input: DeepVerifyInput): Promise<DeepVerifyReport> {
  const { engine, manifest, clock, emit, where } = input;
  const database = `dbbackup_verify_${randomBytes(6).toString('hex')}`;
  await engine.probeServer();
  const blocked = (await engine.checkRestore(manifest, database, input.noOwner)).find((c) => !c.ok);
  if (blocked?.error !== undefined) throw blocked.error;

  emit({
    kind: 'step',
    text: `restoring '${manifest.database}' into throwaway '${database}' on ${where}`,
  });
  await engine.createDatabase(database);
  try {
    const started = clock.now().getTime();
    await streamInto(input, database, started);
    const restoreMs = clock.now().getTime() - started;
    const tables = compareTables(manifest.fingerprint.tables, await engine.countRows(database));
    const bad = tables.filter((t) => !t.ok);
    if (bad.length > 0) throw mismatchError(manifest, bad);
    return { where, database, restoreMs, tables };
  } finally {
    await engine.dropDatabase(database);
  }
}

async function streamInto(input: DeepVerifyInput, database: string, started: number) {
  const { backup, manifest, engine, spawn, env, emit, clock } = input;
  const { reader, counted } = openCountedBackup({
    backup,
    manifest,
    unlocker: input.unlocker,
    spawn,
    env,
    emit,
    clock,
    phase: 'verify',
    database,
    startedMs: started,
  });
  const restored = engine.restore({
    input: counted,
    target: database,
    manifest,
    clean: false,
    jobs: 1,
    noOwner: input.noOwner,
    workdir: input.workdir,
  });
  // A restore that stops early must not leave the decompressor blocked on a full pipe.
  restored.catch(() => reader.stream.destroy());
  await settleReading(restored, reader);
  reader.assertChecksum();
}

/** Pairs the manifest's tables with the restored ones; a table on one side only fails. */
export function compareTables(
  expected: readonly TableFingerprint[],
  restored: readonly TableFingerprint[],
): TableComparison[] {
  const key = (t: TableFingerprint) => `${t.schema}.${t.name}`;
  const found = new Map(restored.map((t) => [key(t), t.rows]));
  const rows: TableComparison[] = expected.map((t) => {
    const rows = found.get(key(t)) ?? null;
    return { table: key(t), expected: t.rows, restored: rows, ok: rows === t.rows };
  });
  const known = new Set(expected.map(key));
  for (const t of restored) {
    if (!known.has(key(t)))
      rows.push({ table: key(t), expected: null, restored: t.rows, ok: false });
  }
  return rows;
}

function mismatchError(manifest: Manifest, bad: TableComparison[]): UserError {
  const names = bad.map((t) => `'${t.table}'`);
  const shown = names.length > 5 ? [...names.slice(0, 5), `and ${names.length - 5} more`] : names;
  return new UserError(
    `deep verify of '${manifest.database}' failed: ${bad.length} table(s) differ from the manifest: ${shown.join(', ')}`,
    {
      code: ExitCode.data,
      hint: 'The backup does not restore to what was recorded when it was taken; do not rely on it.',
      detail: bad.map(describeMismatch).join('\n'),
    },
  );
}

function describeMismatch(t: TableComparison): string {
  const expected = t.expected === null ? 'not in the manifest' : `${t.expected} rows expected`;
  const restored = t.restored === null ? 'missing after restore' : `${t.restored} restored`;
  return `${t.table}: ${expected}, ${restored}`;
}
