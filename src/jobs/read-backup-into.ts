// Opens a stored backup and decompresses it straight into a file descriptor (a pipe a restore
// tool reads): the decompressed bytes never pass through node.
import { UserError } from '../errors.js';
import { isEncrypted } from '../manifest/manifest.js';
import { zstdFailure } from '../pipeline/compress.js';
import { createDecryptStage } from '../pipeline/encrypt.js';
import { isConsequence, runIntoTool } from '../pipeline/pipeline.js';
import { startTool, stdinOf } from '../process/run-tool.js';
import type { BackupReader, OpenBackupOptions } from './read-backup.js';
import { missingKeyError } from './unlock-backup.js';

/** A backup being decompressed into a file descriptor. */
export interface PipedBackup extends Pick<BackupReader, 'done' | 'failure'> {
  /** The decompressor, whose output counters tell the progress. */
  pid: number | undefined;
  /** Stops reading (the consumer failed). */
  stop(): void;
}

/**
 * Starts file → decrypt → zstd, with zstd writing into `output`; the caller closes its own copy
 * of `output` once this returns. Only zstd-compressed backups take this path.
 */
export function openBackupInto(options: OpenBackupOptions, output: number): PipedBackup {
  const { storage, name, manifest, spawn, env, unlock } = options;
  if (manifest.compression.algorithm !== 'zstd') {
    throw new Error(`a ${manifest.compression.algorithm} backup is not decompressed by a tool`);
  }
  if (isEncrypted(manifest) && unlock === undefined) {
    throw missingKeyError(name, manifest.encryption);
  }
  const decrypt =
    isEncrypted(manifest) && unlock !== undefined ? createDecryptStage(unlock) : undefined;
  const zstd = startTool({
    spawn,
    tool: 'zstd',
    args: ['-q', '-d', '-c'],
    env,
    stdin: 'pipe',
    stdout: output,
    classify: zstdFailure,
  });
  const file = storage.open(name);
  const done = runIntoTool({
    source: file,
    // No hash here: the restore checked the file's checksum before it started.
    stages: decrypt === undefined ? [] : [decrypt.stream],
    sink: stdinOf(zstd),
    // The decrypter first: a wrong key explains the decompressor's complaint about its input.
    parts: [
      ...(decrypt === undefined ? [] : [{ name: 'decrypt', done: decrypt.done }]),
      { name: 'decompress', done: zstd.done },
    ],
    tool: zstd.done,
    stop: () => zstd.child.kill('SIGTERM'),
  });
  // A broken pipe only says the restore tool stopped reading: its own error tells why.
  let failure: unknown;
  done.catch((error: unknown) => {
    if (!isConsequence(error)) failure = error;
  });
  return {
    done,
    failure: () => failure,
    pid: zstd.child.pid,
    stop: () => {
      file.destroy();
      if (zstd.child.exitCode === null && zstd.child.signalCode === null) {
        zstd.child.kill('SIGTERM');
      }
    },
  };
}

/**
 * The file turned out damaged (a reading error) after the restore tool had read what it needed
 * and finished: its transaction is committed.
 */
export class DamageAfterRestore extends UserError {
  constructor(cause: UserError) {
    super(`the backup file is damaged after the part the restore read: ${cause.message}`, {
      code: cause.code,
      hint: cause.hint,
      detail: cause.detail,
      cause,
    });
    this.name = 'DamageAfterRestore';
  }
}

/**
 * Waits for the restore tool and the reading. A reading that fails (a corrupt or cut file, a
 * wrong key) stops the tool before it can commit, and its error is the cause even when the
 * tool failed first on the input cut short; a tool that fails stops the reading.
 */
export async function settlePiped(
  consumer: Promise<void>,
  reader: PipedBackup,
  stopConsumer: () => void,
): Promise<void> {
  consumer.catch(() => reader.stop());
  reader.done.catch((error: unknown) => {
    if (!isConsequence(error)) stopConsumer();
  });
  const [used, read] = await Promise.allSettled([consumer, reader.done]);
  const failure = reader.failure();
  if (failure !== undefined) {
    if (used.status === 'fulfilled' && failure instanceof UserError) {
      throw new DamageAfterRestore(failure);
    }
    throw failure as Error;
  }
  if (used.status === 'rejected') throw used.reason;
  if (read.status === 'rejected') throw read.reason;
}
