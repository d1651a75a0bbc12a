// Opens a stored backup as a stream of the dump: file → hash → decrypt → decompress.
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../errors.js';
import { isEncrypted, type Manifest } from '../manifest/manifest.js';
import { createDecompressStage } from '../pipeline/compress.js';
import { createDecryptStage, type Unlock } from '../pipeline/encrypt.js';
import { HashStage } from '../pipeline/hash.js';
import type { Stage } from '../pipeline/tool-stage.js';
import type { Spawn } from '../process/run-tool.js';
import type { StorageTarget } from '../storage/storage.js';
import { missingKeyError } from './unlock-backup.js';

/** A backup being read: the decompressed stream and a check to run once it has ended. */
export interface BackupReader {
  stream: Readable;
  /** Settles when decryption and decompression ended; rejects on corrupt or truncated data (65). */
  done: Promise<void>;
  /** Throws a data error (65) when the bytes read differ from the manifest's checksum. */
  assertChecksum(): void;
  /** The reading's own failure seen so far (the file, or decryption: a wrong key), if any. */
  failure(): unknown;
}

/** Options of {@link openBackup}. */
export interface OpenBackupOptions {
  storage: StorageTarget;
  name: string;
  manifest: Manifest;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  /** Finds the file key of an encrypted backup (see BackupUnlocker). */
  unlock?: Unlock;
}

/** Streams a backup's dump, hashing the stored bytes on the way. */
export function openBackup({
  storage,
  name,
  manifest,
  spawn,
  env,
  unlock,
}: OpenBackupOptions): BackupReader {
  if (isEncrypted(manifest) && unlock === undefined) {
    throw missingKeyError(name, manifest.encryption);
  }
  const file = storage.open(name);
  const hash = new HashStage();
  const decrypt =
    isEncrypted(manifest) && unlock !== undefined ? createDecryptStage(unlock) : undefined;
  const decompress: Stage = createDecompressStage(manifest.compression.algorithm, { spawn, env });
  const chain = [hash, ...(decrypt === undefined ? [] : [decrypt.stream]), decompress.stream];
  let failure: unknown;
  file.once('error', (error) => {
    failure ??= error;
    decompress.stream.destroy(error);
  });
  decrypt?.done.catch((error: unknown) => (failure ??= error));
  let tail: NodeJS.ReadableStream = file;
  for (const stage of chain) {
    tail = tail.pipe(stage);
    if (stage !== decompress.stream)
      stage.once('error', (error) => decompress.stream.destroy(error));
  }
  // A decompressor that dies first must not leave the decrypter waiting for a reader forever.
  decompress.done.catch((error: unknown) => decrypt?.stream.destroy(error as Error));

  return {
    stream: decompress.stream,
    done: firstFailure([decrypt?.done, decompress.done]),
    assertChecksum: () => assertChecksum(hash, manifest, name),
    failure: () => failure,
  };
}

/**
 * Waits for the tool that consumes a backup and for the reader. A failure of the reading itself
 * (a wrong key, an unreadable file) explains whatever the tool then said about its cut input
 * (an empty archive, say), so it wins over the tool's error.
 */
export async function settleReading<T>(consumer: Promise<T>, reader: BackupReader): Promise<T> {
  try {
    const [value] = await Promise.all([consumer, reader.done]);
    return value;
  } catch (error) {
    throw reader.failure() ?? error;
  }
}

/** Settles when all settled; rejects with the first failure in list order, the root cause. */
async function firstFailure(parts: (Promise<void> | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(parts.map((part) => part ?? Promise.resolve()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** Compares a finished hash stage with the manifest. */
export function assertChecksum(hash: HashStage, manifest: Manifest, name: string): void {
  const { sha256, bytes } = hash.result();
  if (bytes !== manifest.sizes.stored) {
    throw new UserError(
      `backup '${name}' is ${bytes} bytes but its manifest says ${manifest.sizes.stored}`,
      { code: ExitCode.data, hint: 'The file is truncated or was changed; use another backup.' },
    );
  }
  if (sha256 !== manifest.checksum.value) {
    throw new UserError(`backup '${name}' does not match its checksum`, {
      code: ExitCode.data,
      hint: 'The file is corrupt or was changed; use another backup.',
    });
  }
}
