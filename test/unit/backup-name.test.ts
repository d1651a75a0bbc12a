import { describe, expect, it } from 'vitest';
import { encodeNameForFile, manifestNameFor, planDataName } from '../../src/plan/backup-name.js';

const at = new Date('2026-12-04T04:20:00.123Z');

describe('encodeNameForFile()', () => {
  it.each([
    ['plain_name-1', 'plain_name-1'],
    ['Sales Q1', 'Sales%20Q1'],
    ["Ops'Data", 'Ops%27Data'],
    ['MixedCase', 'MixedCase'],
    ['données-été', 'donn%C3%A9es-%C3%A9t%C3%A9'],
    ['semi;colon', 'semi%3Bcolon'],
    ['north/south', 'north%2Fsouth'],
    ['..', '%2E%2E'],
    ['.hidden', '%2Ehidden'],
    ['$(rm -rf)`x`', '%24%28rm%20-rf%29%60x%60'],
  ])('encodes %j as %j', (name, encoded) => {
    expect(encodeNameForFile(name)).toBe(encoded);
  });

  it('never yields a path separator, a dot-only name or an empty name', () => {
    for (const name of ['/', '../../etc', '', '.', 'a\\b', 'x\0y']) {
      const encoded = encodeNameForFile(name);
      expect(encoded).not.toMatch(/[/\\\0]/);
      expect(encoded).not.toMatch(/^\.+$/);
      expect(encoded.length).toBeGreaterThan(0);
    }
  });

  it('keeps long names unique and short enough for any file system', () => {
    const a = encodeNameForFile('é'.repeat(64) + 'a');
    const b = encodeNameForFile('é'.repeat(64) + 'b');
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(120);
  });
});

describe('planDataName()', () => {
  it('joins the encoded name, the UTC stamp, the extension and the suffix', () => {
    const name = planDataName({
      database: 'Sales Q1',
      startedAt: at,
      extension: 'pgdump',
      compressionSuffix: '.zst',
    });
    expect(name).toBe('Sales%20Q1_20261204T042000Z.pgdump.zst');
    expect(manifestNameFor(name)).toBe('Sales%20Q1_20261204T042000Z.pgdump.zst.manifest.json');
  });

  it('adds a tie-breaker from the second backup within one second', () => {
    const base = { database: 'db', startedAt: at, extension: 'sql', compressionSuffix: '' };
    expect(planDataName({ ...base, sequence: 1 })).toBe('db_20261204T042000Z.sql');
    expect(planDataName({ ...base, sequence: 2 })).toBe('db_20261204T042000Z-2.sql');
  });

  it('sorts the backups of one database by time', () => {
    const base = { database: 'db', extension: 'sql', compressionSuffix: '' };
    const names = ['2026-12-04T10:00:00Z', '2025-01-31T23:59:59Z', '2026-02-01T00:00:00Z'].map(
      (t) => planDataName({ ...base, startedAt: new Date(t) }),
    );
    expect([...names].sort()).toEqual([names[1], names[2], names[0]]);
  });
});
