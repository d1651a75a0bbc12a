// The single-database backup: dump → compress → encrypt → hash → temp file → verify → publish.
// The dump reaches the compressor through node (counted) or, from pg_dump to zstd, through a
// kernel pipe the two share.
import type { Clock } from '../clock.js';
import { createHeader, type SealedHeader } from '../encryption/age-header.js';
import { encryptionInfoOf, type EncryptTo } from '../encryption/keys.js';
import type { DumpEngine, DumpFacts, DumpRun, ServerInfo } from '../engines/engine.js';
import { ExitCode, UserError, fileError } from '../errors.js';
import type { Emit } from '../events/events.js';
import { formatManifest, type Manifest } from '../manifest/manifest.js';
import { manifestNameFor, planDataName } from '../plan/backup-name.js';
import {
  compressionSuffix,
  type CompressionRequest,
  type CompressionUsed,
} from '../plan/compression.js';
import { createEncryptStage } from '../pipeline/encrypt.js';
import { HashStage } from '../pipeline/hash.js';
import { isConsequence, runPipeline } from '../pipeline/pipeline.js';
import { openOsPipe, type OsPipe } from '../process/os-pipe.js';
import type { Spawn } from '../process/run-tool.js';
import type { PendingObject, StorageTarget } from '../storage/storage.js';
import { settleCompression, settleForPipe } from './compression-choice.js';
import { compressDump, type DumpSource } from './compressed-dump.js';
import { hashStream } from './hash-stream.js';
import { progressCounter } from './progress.js';
import { endOf } from '../pipeline/stream-end.js';

/** Inputs of {@link backupSingle}. */
export interface BackupSingleInput {
  engine: DumpEngine;
  storage: StorageTarget;
  database: string;
  /** A fixed setting, or `auto` to decide from the start of the dump. */
  compression: CompressionRequest;
  /** Encrypt (age) to these recipients or this passphrase; absent means no encryption. */
  encryption?: EncryptTo;
  /** Re-read the written file and check its checksum before publishing it. */
  verify: boolean;
  clock: Clock;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  emit: Emit;
  signal?: AbortSignal;
  /**
   * Called once the dump has been written and every server session of the dump closed, before
   * the file is re-read and published: a caller running several backups may start the next.
   */
  onWritten?: () => void;
}

/** What a successful backup produced. */
export interface BackupResult {
  file: string;
  manifestFile: string;
  manifest: Manifest;
  durationMs: number;
}

/** Runs one backup. Nothing appears under a backup name unless every stage succeeded. */
export async function backupSingle(input: BackupSingleInput): Promise<BackupResult> {
  const { engine, storage, database, clock, emit } = input;

  // Every check that can fail without dumping runs first.
  await storage.prepare();
  const server = await engine.probeServer();
  const info = await engine.findDatabase(database);
  if (info === undefined) {
    throw new UserError(`database '${database}' does not exist on ${server.host}`, {
      code: ExitCode.noInput,
      hint: 'Check the name with `dbbackup list databases`; names are case-sensitive.',
    });
  }

  // scrypt (passphrase) takes seconds: done before the dump holds a snapshot open.
  const sealed = input.encryption === undefined ? undefined : await createHeader(input.encryption);
  const startedAt = clock.now();
  const started = await startDumping(input);
  const { pending, dataName } = await openTarget(input, started, startedAt, sealed);
  emit({ kind: 'step', text: `backing up '${database}' to ${storage.location}/${dataName}` });

  try {
    const written = await dumpInto({
      input,
      pending,
      started,
      sealed,
      startedAt,
      size: info.sizeBytes,
    });
    input.onWritten?.();
    // The data's fsync runs while the file is re-read: each waits on the disk, not on the other.
    const [verified, flushed] = await Promise.allSettled([
      input.verify ? verifyPending(pending, written.sha256, written.stored) : undefined,
      pending.flush(),
    ]);
    // A failed flush removes the file, which can fail the re-read too: the flush is the cause.
    if (flushed.status === 'rejected') throw flushed.reason;
    if (verified.status === 'rejected') throw verified.reason;
    const manifest = buildManifest({
      input,
      server,
      dataName,
      startedAt,
      written,
      size: info.sizeBytes,
    });
    await publish(storage, pending, dataName, manifest);
    return {
      file: dataName,
      manifestFile: manifestNameFor(dataName),
      manifest,
      durationMs: clock.now().getTime() - startedAt.getTime(),
    };
  } catch (error) {
    await pending.abort();
    throw error;
  }
}

interface StartedDump {
  dump: Pick<DumpRun, 'done' | 'cancel'>;
  /** The dump's bytes: a stream (any sampled start replayed in front) or a pipe for zstd. */
  source: DumpSource;
  compression: CompressionUsed;
}

/**
 * Starts the dump and settles its compression. When the engine can dump into a file
 * descriptor and zstd compresses, the tool writes into a pipe zstd reads; anything else goes
 * through node.
 */
async function startDumping(input: BackupSingleInput): Promise<StartedDump> {
  const { engine, database, compression: request, spawn, env } = input;
  const zstdMayRead = request.algorithm === 'zstd' || request.algorithm === 'auto';
  if (engine.startDumpInto === undefined || !zstdMayRead) {
    const dump = await engine.startDump(database);
    try {
      const settled = await settleCompression({ request, dump: dump.stream });
      return {
        dump,
        source: { kind: 'stream', stream: settled.stream },
        compression: settled.used,
      };
    } catch (error) {
      throw await stopDump(dump, error);
    }
  }

  const compression = settleForPipe(request);
  let pipe: OsPipe | undefined;
  const openOutput = async () => {
    pipe = await openOsPipe({ spawn, env });
    return pipe.write;
  };
  try {
    const dump = await engine.startDumpInto(database, openOutput);
    if (pipe === undefined) throw new Error('the engine started a dump without its output pipe');
    return { dump, source: { kind: 'pipe', pipe, started: () => dump.started() }, compression };
  } catch (error) {
    pipe?.close();
    throw error;
  }
}

/** Picks a free name and creates the temporary file. */
async function openTarget(
  input: BackupSingleInput,
  started: StartedDump,
  startedAt: Date,
  sealed: SealedHeader | undefined,
) {
  try {
    const suffix = compressionSuffix[started.compression.algorithm] + (sealed ? '.age' : '');
    const dataName = await freeName(input, startedAt, suffix);
    const pending = await input.storage.create(dataName);
    return { pending, dataName };
  } catch (error) {
    if (started.source.kind === 'pipe') started.source.pipe.close();
    throw await stopDump(started.dump, error);
  }
}

/** Stops a dump after a failure and returns the root cause: the dump's own error if it had one. */
async function stopDump(dump: StartedDump['dump'], error: unknown): Promise<unknown> {
  dump.cancel();
  const dumpError = await dump.done.then(
    () => undefined,
    (e: unknown) => e,
  );
  return dumpError !== undefined && !isConsequence(dumpError) ? dumpError : error;
}

interface Written {
  facts: DumpFacts;
  compression: CompressionUsed;
  dump: number;
  stored: number;
  sha256: string;
  finishedAt: Date;
}

interface DumpIntoParts {
  input: BackupSingleInput;
  pending: PendingObject;
  started: StartedDump;
  sealed: SealedHeader | undefined;
  startedAt: Date;
  size: number;
}

async function dumpInto(parts: DumpIntoParts): Promise<Written> {
  const { input, pending, started, sealed, startedAt, size } = parts;
  const { database, spawn, env, emit, clock, signal } = input;
  const { dump, compression } = started;
  const count = progressCounter({
    emit,
    clock,
    phase: 'backup',
    database,
    totalBytes: size,
    startedMs: startedAt.getTime(),
  });
  const compressed = compressDump({ source: started.source, compression, count, spawn, env });
  const encrypt = sealed === undefined ? undefined : createEncryptStage(sealed);
  const hash = new HashStage();

  const watched = [
    { name: 'write', done: endOf(pending.stream, 'writable') },
    { name: 'dump', done: dump.done },
    compressed.part,
    ...(encrypt === undefined ? [] : [{ name: 'encrypt', done: encrypt.done }]),
  ];
  try {
    await runPipeline({
      source: compressed.source,
      stages: [...compressed.stages, ...(encrypt === undefined ? [] : [encrypt.stream]), hash],
      sink: pending.stream,
      parts: watched,
      signal,
      // A full disk stops the dump at once: a dump tool blocked writing to a pipe nobody reads
      // any more never ends, and the pipeline waits for every part.
      stop: () => {
        dump.cancel();
        compressed.stop();
      },
    });
  } catch (error) {
    // A raw file-system error here is the sink's: a full disk, a vanished directory.
    if (isErrno(error)) throw fileError('write backup file in', input.storage.location, error);
    throw error;
  }

  const facts = await dump.done;
  const dumpBytes = await compressed.dumpBytes();
  const { sha256, bytes } = hash.result();
  const finishedAt = clock.now();
  return { facts, compression, dump: dumpBytes, stored: bytes, sha256, finishedAt };
}

async function verifyPending(pending: PendingObject, sha256: string, size: number): Promise<void> {
  const reread = await hashStream(pending.readBack());
  if (reread.sha256 !== sha256 || reread.bytes !== size) {
    throw new UserError('backup file changed between writing and re-reading it', {
      code: ExitCode.io,
      hint: 'The disk or file system returned different bytes; check it before trusting it.',
    });
  }
}

async function freeName(input: BackupSingleInput, startedAt: Date, suffix: string) {
  const { engine, storage, database } = input;
  for (let sequence = 1; ; sequence += 1) {
    const name = planDataName({
      database,
      startedAt,
      extension: engine.extension,
      compressionSuffix: suffix,
      sequence,
    });
    const taken = await storage.stat(name);
    const manifestTaken = await storage.stat(manifestNameFor(name));
    if (taken === undefined && manifestTaken === undefined) return name;
  }
}

interface ManifestParts {
  input: BackupSingleInput;
  server: ServerInfo;
  dataName: string;
  startedAt: Date;
  written: Written;
  size: number;
}

function buildManifest({ input, server, dataName, startedAt, written, size }: ManifestParts) {
  const { facts } = written;
  const manifest: Manifest = {
    format: 'dbbackup-manifest',
    version: 1,
    kind: 'single',
    status: 'complete',
    engine: input.engine.type,
    server: { flavour: server.flavour, version: server.version, host: server.host },
    tool: facts.tool,
    database: input.database,
    dumpFormat: input.engine.dumpFormat,
    file: dataName,
    startedAt: startedAt.toISOString(),
    finishedAt: written.finishedAt.toISOString(),
    compression: written.compression,
    encryption: input.encryption === undefined ? null : encryptionInfoOf(input.encryption),
    sizes: { dump: written.dump, stored: written.stored, database: size },
    checksum: { algorithm: 'sha256', value: written.sha256 },
    fingerprint: { counts: facts.counts, tables: facts.tables },
    requires: { roles: facts.roles, extensions: facts.extensions },
    verified: { afterBackup: input.verify },
  };
  return manifest;
}

/**
 * Publishes the data file, then its manifest, as close together as the file system allows:
 * both are written and flushed under temporary names first, so only an unlink and a link
 * separate the data file's name from its manifest's. A kill in that moment leaves a data file
 * without manifest, which `list backups` does not show.
 */
async function publish(
  storage: StorageTarget,
  pending: PendingObject,
  dataName: string,
  manifest: Manifest,
) {
  const manifestPending = await storage.create(manifestNameFor(dataName));
  try {
    await new Promise<void>((resolve, reject) => {
      manifestPending.stream.once('error', reject);
      manifestPending.stream.end(formatManifest(manifest), resolve);
    });
    await manifestPending.flush();
    await pending.flush();
    // The manifest's commit flushes the directory for both names.
    await pending.commit({ syncDirectory: false });
  } catch (error) {
    await manifestPending.abort();
    throw error;
  }
  try {
    await manifestPending.commit();
  } catch (error) {
    // Without its manifest the data file must not stay behind looking like a backup.
    await storage.remove(dataName);
    throw error;
  }
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !(error instanceof UserError);
}
