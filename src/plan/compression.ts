// Parses and describes the compression choice: zstd[:level], gzip[:level] or none.
import { ExitCode, UserError } from '../errors.js';

/** The algorithms a backup file can be compressed with. */
export type CompressionAlgorithm = 'zstd' | 'gzip' | 'none';

/** A compression choice as recorded in the manifest. */
export interface CompressionSpec {
  algorithm: CompressionAlgorithm;
  level: number | null;
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

/** Parses `zstd`, `zstd:5`, `gzip:9`, `none` into a spec, or throws a usage error. */
export function parseCompression(text: string): CompressionSpec {
  const [name = '', levelText, ...rest] = text.trim().toLowerCase().split(':');
  if (!isAlgorithm(name) || rest.length > 0) {
    throw new UserError(`unknown compression '${text}'`, {
      code: ExitCode.usage,
      hint: 'Use zstd[:LEVEL], gzip[:LEVEL] or none, for example --compression zstd:3.',
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
export function formatCompression(spec: CompressionSpec): string {
  return spec.level === null ? spec.algorithm : `${spec.algorithm}:${spec.level}`;
}

function isAlgorithm(name: string): name is CompressionAlgorithm {
  return name === 'zstd' || name === 'gzip' || name === 'none';
}
