// The single-database backup: dump → count → compress → hash → temp file → verify → publish.
import type { Writable } from 'node:stream';
import type { Clock } from '../clock.js';
import type { DumpEngine, DumpFacts, ServerInfo } from '../engines/engine.js';
import { ExitCode, UserError, fileError } from '../errors.js';
import type { Emit } from '../events/events.js';
import { formatManifest, type Manifest } from '../manifest/manifest.js';
import { manifestNameFor, planDataName } from '../plan/backup-name.js';
import { compressionSuffix, type CompressionSpec } from '../plan/compression.js';
import { createCompressStage } from '../pipeline/compress.js';
import { HashStage } from '../pipeline/hash.js';
import { runPipeline } from '../pipeline/pipeline.js';
import type { Spawn } from '../process/run-tool.js';
import type { PendingObject, StorageTarget } from '../storage/storage.js';
import { hashStream } from './hash-stream.js';
import { progressCounter } from './progress.js';

/** Inputs of {@link backupSingle}. */
export interface BackupSingleInput {
  engine: DumpEngine;
  storage: StorageTarget;
  database: string;
  compression: CompressionSpec;
  /** Re-read the written file and check its checksum before publishing it. */
  verify: boolean;
  clock: Clock;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  emit: Emit;
  signal?: AbortSignal;
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

  const startedAt = clock.now();
  const dataName = await freeName(input, startedAt);
  emit({ kind: 'step', text: `backing up '${database}' to ${storage.location}/${dataName}` });

  const pending = await storage.create(dataName);
  try {
    const written = await dumpInto(input, pending, info.sizeBytes, startedAt);
    if (input.verify) await verifyPending(pending, written.sha256, written.stored);
    await pending.commit();

    const manifest = buildManifest({
      input,
      server,
      dataName,
      startedAt,
      written,
      size: info.sizeBytes,
    });
    await publishManifest(storage, dataName, manifest);
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

interface Written {
  facts: DumpFacts;
  dump: number;
  stored: number;
  sha256: string;
  finishedAt: Date;
}

async function dumpInto(
  input: BackupSingleInput,
  pending: PendingObject,
  sizeBytes: number,
  startedAt: Date,
): Promise<Written> {
  const { engine, database, compression, spawn, env, emit, clock, signal } = input;
  const dump = await engine.startDump(database);
  const started = startedAt.getTime();
  const count = progressCounter({
    emit,
    clock,
    phase: 'backup',
    database,
    totalBytes: sizeBytes,
    startedMs: started,
  });
  const compress = createCompressStage(compression, { spawn, env });
  const hash = new HashStage();

  try {
    await runPipeline({
      source: dump.stream,
      stages: [count, compress.stream, hash],
      sink: pending.stream,
      parts: [
        { name: 'write', done: finished(pending.stream) },
        { name: 'dump', done: dump.done },
        { name: 'compress', done: compress.done },
      ],
      signal,
    });
  } catch (error) {
    dump.cancel();
    // A raw file-system error here is the sink's: a full disk, a vanished directory.
    if (isErrno(error)) throw fileError('write backup file in', input.storage.location, error);
    throw error;
  }

  const facts = await dump.done;
  const { sha256, bytes } = hash.result();
  return { facts, dump: count.bytes, stored: bytes, sha256, finishedAt: clock.now() };
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

async function freeName(input: BackupSingleInput, startedAt: Date): Promise<string> {
  const { engine, storage, database, compression } = input;
  for (let sequence = 1; ; sequence += 1) {
    const name = planDataName({
      database,
      startedAt,
      extension: engine.extension,
      compressionSuffix: compressionSuffix[compression.algorithm],
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
    compression: input.compression,
    sizes: { dump: written.dump, stored: written.stored, database: size },
    checksum: { algorithm: 'sha256', value: written.sha256 },
    fingerprint: { counts: facts.counts, tables: facts.tables },
    requires: { roles: facts.roles, extensions: facts.extensions },
    verified: { afterBackup: input.verify },
  };
  return manifest;
}

async function publishManifest(storage: StorageTarget, dataName: string, manifest: Manifest) {
  try {
    await storage.writeSmall(manifestNameFor(dataName), formatManifest(manifest));
  } catch (error) {
    // Without its manifest the data file must not stay behind looking like a backup.
    await storage.remove(dataName);
    throw error;
  }
}

function finished(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !(error instanceof UserError);
}
