// The byte counts zstd prints at -vv, which a backup records as the dump's size.
import { describe, expect, it } from 'vitest';
import { parseZstdCounts } from '../../src/pipeline/zstd-report.js';

// Captured from zstd 1.5.4 (Debian 12) compressing a pg_dump stream at -vv.
const zstd15 = [
  '*** Zstandard CLI (64-bit) v1.5.4, by Yann Collet ***',
  '--zstd=wlog=21,clog=16,hlog=17,slog=1,mml=5,tlen=0,strat=2',
  '--format=.zst --no-sparse --block-size=0 --memory=134217728 --threads=2 --content-size',
  'Using stdin for input ',
  'Decompression will require 2097152 B of memory',
  '/*stdin*\\            : 11.59%   (1097995916 B => 127265272 B, /*stdout*\\) ',
  '/*stdin*\\            : Completed in 4.75 sec  (cpu load : 64%)',
  '',
].join('\n');

// The form of zstd 1.3 and 1.4, which always printed exact counts in bytes.
const zstd14 = '/*stdin*\\            : 29.71%   (  4096 =>   1217 bytes, /*stdout*\\) \n';

describe('parseZstdCounts()', () => {
  it('reads the exact counts of zstd 1.5 at -vv', () => {
    expect(parseZstdCounts(zstd15)).toEqual({ input: 1097995916, output: 127265272 });
  });

  it('reads the older form with plain bytes', () => {
    expect(parseZstdCounts(zstd14)).toEqual({ input: 4096, output: 1217 });
  });

  it('refuses rounded figures, a missing line and extra lines rather than guess', () => {
    const rounded = '/*stdin*\\            : 75.37%   (   386 MiB =>    291 MiB, /*stdout*\\) \n';
    expect(parseZstdCounts(rounded)).toBeUndefined();
    expect(parseZstdCounts('zstd: error 70 : Write error\n')).toBeUndefined();
    expect(parseZstdCounts(zstd15 + zstd15)).toBeUndefined();
  });
});
