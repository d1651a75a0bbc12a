import { describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/errors.js';
import { formatCompression, parseCompression } from '../../src/plan/compression.js';

describe('parseCompression()', () => {
  it.each([
    ['zstd', { algorithm: 'zstd', level: 3 }],
    ['zstd:19', { algorithm: 'zstd', level: 19 }],
    ['ZSTD:1', { algorithm: 'zstd', level: 1 }],
    ['gzip', { algorithm: 'gzip', level: 6 }],
    ['gzip:9', { algorithm: 'gzip', level: 9 }],
    ['none', { algorithm: 'none', level: null }],
  ])('reads %s', (text, spec) => {
    expect(parseCompression(text)).toEqual(spec);
  });

  it.each(['lz4', 'zstd:0', 'zstd:20', 'gzip:10', 'gzip:x', 'none:1', 'zstd:3:4', ''])(
    'refuses %j as a usage error',
    (text) => {
      const error = (() => {
        try {
          parseCompression(text);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe(ExitCode.usage);
      expect((error as UserError).hint).toMatch(/zstd|level/);
    },
  );

  it('formats a spec back to its text form', () => {
    expect(formatCompression({ algorithm: 'zstd', level: 5 })).toBe('zstd:5');
    expect(formatCompression({ algorithm: 'none', level: null })).toBe('none');
  });
});
