// Opens a stored backup as a stream of the dump: file → hash → decompress.
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../errors.js';
import type { Manifest } from '../manifest/manifest.js';
import { createDecompressStage } from '../pipeline/compress.js';
import { HashStage } from '../pipeline/hash.js';
import type { Stage } from '../pipeline/tool-stage.js';
import type { Spawn } from '../process/run-tool.js';
import type { StorageTarget } from '../storage/storage.js';

/** A backup being read: the decompressed stream and a check to run once it has ended. */
export interface BackupReader {
  stream: Readable;
  /** Settles when decompression ended; rejects on corrupt or truncated data (65). */
  done: Promise<void>;
  /** Throws a data error (65) when the bytes read differ from the manifest's checksum. */
  assertChecksum(): void;
}

/** Options of {@link openBackup}. */
export interface OpenBackupOptions {
  storage: StorageTarget;
  name: string;
  manifest: Manifest;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
}

/** Streams a backup's dump, hashing the stored bytes on the way. */
export function openBackup({
  storage,
  name,
  manifest,
  spawn,
  env,
}: OpenBackupOptions): BackupReader {
  const file = storage.open(name);
  const hash = new HashStage();
  const decompress: Stage = createDecompressStage(manifest.compression.algorithm, { spawn, env });
  file.once('error', (error) => decompress.stream.destroy(error));
  file.pipe(hash).pipe(decompress.stream);
  hash.once('error', (error) => decompress.stream.destroy(error));

  return {
    stream: decompress.stream,
    done: decompress.done,
    assertChecksum: () => assertChecksum(hash, manifest, name),
  };
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
