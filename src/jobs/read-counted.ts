// Opens a located backup for a restore or a verify: its dump stream, counted for progress.
import type { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import type { Emit, ProgressEvent } from '../events/events.js';
import type { Manifest } from '../manifest/manifest.js';
import type { Spawn } from '../process/run-tool.js';
import type { LocatedBackup } from './locate.js';
import { progressCounter } from './progress.js';
import { openBackup, type BackupReader } from './read-backup.js';
import type { BackupUnlocker } from './unlock-backup.js';

/** Options of {@link openCountedBackup}. */
export interface OpenCountedOptions {
  backup: LocatedBackup;
  manifest: Manifest;
  unlocker?: BackupUnlocker;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  emit: Emit;
  clock: Clock;
  phase: ProgressEvent['phase'];
  /** The database the progress events name (the restore target, or the dumped one). */
  database: string;
  startedMs: number;
}

/** The reader and its stream passed through a progress counter; a read error reaches both. */
export function openCountedBackup(options: OpenCountedOptions): {
  reader: BackupReader;
  counted: Readable;
} {
  const { backup, manifest, unlocker, spawn, env, emit, clock } = options;
  const reader = openBackup({
    storage: backup.storage,
    name: backup.dataName,
    manifest,
    spawn,
    env,
    unlock: unlocker?.unlock,
  });

  const count = progressCounter({
    emit,
    clock,
    phase: options.phase,
    database: options.database,
    totalBytes: manifest.sizes.dump > 0 ? manifest.sizes.dump : null,
    startedMs: options.startedMs,
  });
  const counted = reader.stream.pipe(count);
  reader.stream.once('error', (error: Error) => counted.destroy(error));
  // The engine may attach its pipeline only after async set-up (an option file, a check); a
  // decompressor stopped before then (Ctrl+C) must not crash the process with an unheard
  // 'error'. The failure itself is reported through `reader.done` and the engine's promise.
  counted.on('error', () => undefined);
  return { reader, counted };
}
