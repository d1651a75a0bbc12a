import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/cli/render.js';
import { parseDuration, parseTimePoint, formatAge } from '../../src/plan/duration.js';
import { findGaps } from '../../src/plan/gaps.js';
import { compileGlob } from '../../src/plan/glob.js';
import { isoWeek, periodIndex, periodLabel } from '../../src/plan/periods.js';
import { parseGfs, parsePolicy } from '../../src/plan/retention-policy.js';

const hour = 3_600_000;
const day = 24 * hour;

describe('isoWeek() and periodLabel()', () => {
  it.each([
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2021-01-03T23:59:59Z', '2020-W53'],
    ['2026-01-01T12:00:00Z', '2026-W01'],
    ['2026-03-15T12:00:00Z', '2026-W11'],
    ['2026-03-16T00:00:00Z', '2026-W12'],
    ['2027-01-01T00:00:00Z', '2026-W53'],
  ])('%s is in ISO week %s', (iso, label) => {
    expect(periodLabel(new Date(iso), 'week')).toBe(label);
    const { year, week } = isoWeek(new Date(iso));
    expect(`${year}-W${String(week).padStart(2, '0')}`).toBe(label);
  });

  it('starts weeks on Monday 00:00 UTC and months and years at midnight UTC', () => {
    const at = (iso: string, unit: 'day' | 'week' | 'month' | 'year') =>
      periodIndex(new Date(iso), unit);
    expect(at('2026-03-15T23:59:59.999Z', 'week')).toBe(at('2026-03-09T00:00:00Z', 'week'));
    expect(at('2026-03-16T00:00:00Z', 'week')).toBe(at('2026-03-15T00:00:00Z', 'week') + 1);
    expect(at('2026-01-31T23:59:59Z', 'month') + 1).toBe(at('2026-02-01T00:00:00Z', 'month'));
    expect(at('2025-12-31T23:59:59Z', 'year') + 1).toBe(at('2026-01-01T00:00:00Z', 'year'));
    expect(at('2026-01-01T00:00:00+01:00', 'day')).toBe(at('2025-12-31T12:00:00Z', 'day'));
  });
});

describe('findGaps()', () => {
  const now = new Date('2026-01-10T03:00:00Z');
  const daily = (days: number[]) => days.map((d) => new Date(Date.UTC(2026, 0, d, 2)));

  it('finds missed days between backups and counts them', () => {
    const gaps = findGaps({ times: daily([1, 2, 5, 6, 7, 8, 9, 10]), intervalMs: day, now });
    expect(gaps).toEqual([
      { from: new Date('2026-01-02T02:00:00Z'), to: new Date('2026-01-05T02:00:00Z'), missed: 2 },
    ]);
  });

  it('tolerates a backup up to 25% of the interval late', () => {
    const times = [new Date('2026-01-08T02:00:00Z'), new Date('2026-01-09T07:59:00Z')];
    expect(findGaps({ times, intervalMs: day, now: new Date('2026-01-09T08:00:00Z') })).toEqual([]);
    const late = [new Date('2026-01-08T02:00:00Z'), new Date('2026-01-09T08:01:00Z')];
    expect(
      findGaps({ times: late, intervalMs: day, now: new Date('2026-01-09T09:00:00Z') }),
    ).toHaveLength(1);
  });

  it('reports a gap still open at now', () => {
    const gaps = findGaps({ times: daily([1, 2, 3]), intervalMs: day, now });
    expect(gaps).toEqual([{ from: new Date('2026-01-03T02:00:00Z'), to: undefined, missed: 6 }]);
  });
});

describe('parseDuration() and parseTimePoint()', () => {
  it.each([
    ['26h', 26 * hour],
    ['1d12h', 36 * hour],
    ['2w', 14 * day],
    ['90s', 90_000],
  ])('parses %s', (text, ms) => expect(parseDuration(text, 'max-age')).toBe(ms));

  it.each(['', 'abc', '26', '0h', '5x', '1h junk'])('refuses %j with a usage error', (text) => {
    expect(() => parseDuration(text, 'max-age')).toThrow(expect.objectContaining({ code: 64 }));
  });

  it('reads dates as UTC and ages as before now', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    expect(parseTimePoint('2026-01-02', 'since', now).toISOString()).toBe(
      '2026-01-02T00:00:00.000Z',
    );
    expect(parseTimePoint('2026-01-02T04:05:06', 'since', now).toISOString()).toBe(
      '2026-01-02T04:05:06.000Z',
    );
    expect(parseTimePoint('2026-01-02T04:00:00+02:00', 'since', now).toISOString()).toBe(
      '2026-01-02T02:00:00.000Z',
    );
    expect(parseTimePoint('7d', 'since', now).toISOString()).toBe('2026-01-03T00:00:00.000Z');
    expect(() => parseTimePoint('yesterday', 'since', now)).toThrow(
      expect.objectContaining({ code: 64 }),
    );
  });

  it('formats ages for people', () => {
    expect(formatAge(26 * hour)).toBe('1d 2h');
    expect(formatAge(90 * 60_000)).toBe('1h 30m');
    expect(formatAge(59_000)).toBe('0m');
  });
});

describe('parsePolicy() and parseGfs()', () => {
  it('reads up to four GFS counts, missing ones 0', () => {
    expect(parseGfs('7,4,12,3')).toEqual({ daily: 7, weekly: 4, monthly: 12, yearly: 3 });
    expect(parseGfs('7,4')).toEqual({ daily: 7, weekly: 4, monthly: 0, yearly: 0 });
  });

  it.each(['7,4,12,3,1', 'a,b', '7,,1', '-1', '1.5'])('refuses --gfs %j', (text) => {
    expect(() => parseGfs(text)).toThrow(expect.objectContaining({ code: 64 }));
  });

  it('refuses an empty policy, which would say nothing about what to keep', () => {
    expect(() => parsePolicy({ keepLast: undefined, keepDays: undefined, gfs: undefined })).toThrow(
      expect.objectContaining({ code: 64, message: 'no retention policy given' }),
    );
  });
});

describe('compileGlob()', () => {
  it.each([
    ['app_*', 'app_prod', true],
    ['app_*', 'App_prod', false],
    ['db?', 'db1', true],
    ['db?', 'db12', false],
    ['[ab]*', 'beta', true],
    ['[!ab]*', 'beta', false],
    ['Sales Q1', 'Sales Q1', true],
    ['a.b', 'axb', false],
    ['north/*', 'north/south', true],
  ])('%j matches %j: %s', (pattern, name, expected) =>
    expect(compileGlob(pattern)(name)).toBe(expected),
  );
});

describe('csvCell()', () => {
  it('quotes commas, quotes, line breaks and edge spaces, and leaves the rest', () => {
    expect(['plain', 'a,b', 'say "hi"', 'two\nlines', ' pad', null, 42].map(csvCell)).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '" pad"',
      '',
      '42',
    ]);
  });
});
