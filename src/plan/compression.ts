// Parses and decides the compression: auto, zstd[:level], gzip[:level] or none.
import { ExitCode, UserError } from '../errors.js';

/** The algorithms a backup file can be compressed with. */
export type CompressionAlgorithm = 'zstd' | 'gzip' | 'none';

/** A concrete compression setting. */
export interface CompressionSpec {
  algorithm: CompressionAlgorithm;
  level: number | null;
  /** zstd worker threads (`-T`); absent means one per core. */
  threads?: number;
}

/** What the user asked for: a concrete setting, or `auto` to decide from a sample of the dump. */
export interface CompressionRequest {
  algorithm: CompressionAlgorithm | 'auto';
  level: number | null;
}

/** The compression a backup was written with, as recorded in the manifest. */
export interface CompressionUsed extends CompressionSpec {
  /** `auto` when decided from a sample; absent in manifests written before auto existed. */
  chosenBy?: 'auto' | 'user';
  /** Why this setting, in words. */
  reason?: string;
  /** The sample `auto` measured: its size and its size after deflate level 1. */
  sample?: { bytes: number; deflatedBytes: number };
}

const levels: Record<CompressionAlgorithm, { min: number; max: number; default: number | null }> = {
  zstd: { min: 1, max: 19, default: 3 },
  gzip: { min: 1, max: 9, default: 6 },
  none: { min: 0, max: 0, default: null },
};

/** File-name suffix of each algorithm. */
export const compressionSuffix: Record<CompressionAlgorithm, string> = {
  zstd: '.zst',
  gzip: '.gz',
  none: '',
};

/** Parses `auto`, `zstd`, `zstd:5`, `gzip:9`, `none`, or throws a usage error. */
export function parseCompression(text: string): CompressionRequest {
  const [name = '', levelText, ...rest] = text.trim().toLowerCase().split(':');
  if (name === 'auto' && levelText === undefined) return { algorithm: 'auto', level: null };
  if (!isAlgorithm(name) || rest.length > 0) {
    throw new UserError(`unknown compression '${text}'`, {
      code: ExitCode.usage,
      hint: 'Use auto, zstd[:LEVEL], gzip[:LEVEL] or none, for example --compression zstd:3.',
    });
  }

  const range = levels[name];
  if (levelText === undefined) return { algorithm: name, level: range.default };
  const level = Number(levelText);
  if (name === 'none' || !Number.isInteger(level) || level < range.min || level > range.max) {
    throw new UserError(`invalid compression level '${text}'`, {
      code: ExitCode.usage,
      hint: `The ${name} level must be a whole number from ${range.min} to ${range.max}.`,
    });
  }
  return { algorithm: name, level };
}

/** Formats a spec back into the `algo:level` form. */
export function formatCompression(spec: CompressionRequest): string {
  return spec.level === null ? spec.algorithm : `${spec.algorithm}:${spec.level}`;
}

/** What `auto` measured on the start of the dump. */
export interface DumpSample {
  bytes: number;
  deflatedBytes: number;
  /** True when the dump ended within the sample, so the sample is the whole dump. */
  isWholeDump: boolean;
}

/** A sample deflating to more than this share of its size is treated as incompressible. */
export const incompressibleRatio = 0.9;

/**
 * Decides `auto` from a sample of a dump that dbbackup reads itself. Data that deflate (level
 * 1) cannot shrink by a tenth is stored as is; all else gets zstd on one worker per core
 * (level 3 keeps pace with a dump tool's 100–300 MB/s on two cores; level 6, about a third of
 * level 3's speed, only once there are six cores to share).
 */
export function chooseCompression(sample: DumpSample, cores: number): CompressionUsed {
  const measured = { bytes: sample.bytes, deflatedBytes: sample.deflatedBytes };
  const what = sample.isWholeDump
    ? `the whole dump (${sample.bytes} bytes)`
    : `the first ${sample.bytes} bytes of the dump`;
  const ratio = sample.bytes === 0 ? 0 : sample.deflatedBytes / sample.bytes;
  const percent = `${Math.round(ratio * 100)}%`;
  if (ratio > incompressibleRatio) {
    return {
      algorithm: 'none',
      level: null,
      chosenBy: 'auto',
      reason: `${what} deflate to ${percent} of their size: the data does not compress`,
      sample: measured,
    };
  }
  return zstdFor(
    cores,
    (level, threads) =>
      `${what} deflate to ${percent} of their size; zstd level ${level} on ${threads} ` +
      `worker thread(s) keeps pace with the dump on ${cores} core(s)`,
    measured,
  );
}

/**
 * Decides `auto` for a dump tool's pipe that zstd reads itself, without a sample: zstd passes
 * data that does not compress at over 1 GB/s a core (measured on this project's 2-core
 * machine), less than dbbackup would spend copying the bytes to store them as they are.
 */
export function zstdOnPipeChoice(cores: number): CompressionUsed {
  return zstdFor(
    cores,
    (level, threads) =>
      `zstd level ${level} on ${threads} worker thread(s) reads the dump tool's output ` +
      'directly; on data that does not compress it costs less than copying it uncompressed',
  );
}

/** zstd chosen by `auto` for this many cores, with the reason in words. */
function zstdFor(
  cores: number,
  reason: (level: number, threads: number) => string,
  sample?: CompressionUsed['sample'],
): CompressionUsed {
  const threads = Math.max(1, cores);
  const level = threads >= 6 ? 6 : 3;
  const used: CompressionUsed = { algorithm: 'zstd', level, threads, chosenBy: 'auto' };
  return { ...used, reason: reason(level, threads), ...(sample === undefined ? {} : { sample }) };
}

/** The manifest record of a setting the user chose. */
export function userCompression(spec: CompressionSpec, source: string): CompressionUsed {
  return { ...spec, chosenBy: 'user', reason: `set by ${source}` };
}

function isAlgorithm(name: string): name is CompressionAlgorithm {
  return name === 'zstd' || name === 'gzip' || name === 'none';
}
