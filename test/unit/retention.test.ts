import { describe, expect, it } from 'vitest';
import {
  planRetention,
  type EntryState,
  type RetentionEntry,
  type RetentionPolicy,
} from '../../src/plan/retention.js';

const day = 86_400_000;

/** One entry per day at 02:00 UTC from `from` to `to` (inclusive), id `<group>@YYYY-MM-DD`. */
function dailies(group: string, from: string, to: string): RetentionEntry[] {
  const out: RetentionEntry[] = [];
  for (let t = Date.parse(`${from}T02:00:00Z`); t <= Date.parse(`${to}T02:00:00Z`); t += day) {
    const date = new Date(t);
    out.push({
      id: `${group}@${date.toISOString().slice(0, 10)}`,
      group,
      startedAt: date,
      state: 'complete',
      verified: true,
    });
  }
  return out;
}

function entry(
  group: string,
  iso: string,
  state: EntryState = 'complete',
  verified = state === 'complete',
): RetentionEntry {
  return { id: `${group}@${iso}`, group, startedAt: new Date(iso), state, verified };
}

function kept(entries: RetentionEntry[], policy: RetentionPolicy, now: string): string[] {
  return planRetention({ entries, policy, now: new Date(now) })
    .filter((d) => d.keep)
    .map((d) => d.entry.id)
    .sort();
}

function withState(entries: RetentionEntry[], ids: Record<string, EntryState>): RetentionEntry[] {
  return entries.map((e) =>
    ids[e.id] === undefined ? e : { ...e, state: ids[e.id]!, verified: false },
  );
}

describe('planRetention()', () => {
  it('applies keep-last to each database on its own, never to all as one pool', () => {
    const entries = [
      ...dailies('a', '2026-01-01', '2026-01-10'),
      ...dailies('b', '2026-01-01', '2026-01-03'),
    ];
    expect(kept(entries, { keepLast: 2 }, '2026-01-10T12:00:00Z')).toEqual([
      'a@2026-01-09',
      'a@2026-01-10',
      'b@2026-01-02',
      'b@2026-01-03',
    ]);
  });

  it('keeps backups younger than keep-days, measured from the clock passed in', () => {
    const entries = dailies('a', '2026-01-01', '2026-01-10');
    // 3 days before 2026-01-10T03:00 is 2026-01-07T03:00: the 01-07 02:00 backup is older.
    expect(kept(entries, { keepDays: 3 }, '2026-01-10T03:00:00Z')).toEqual([
      'a@2026-01-08',
      'a@2026-01-09',
      'a@2026-01-10',
    ]);
  });

  it('deletes failed and incomplete entries older than the newest success, not those after it', () => {
    const entries = [
      entry('a', '2026-01-01T02:00:00Z'),
      entry('a', '2026-01-02T02:00:00Z', 'failed'),
      entry('a', '2026-01-03T02:00:00Z', 'incomplete'),
      entry('a', '2026-01-04T02:00:00Z'),
      entry('a', '2026-01-05T02:00:00Z', 'failed'),
      entry('a', '2026-01-06T02:00:00Z', 'corrupt'),
    ];
    const decisions = planRetention({
      entries,
      policy: { keepLast: 5 },
      now: new Date('2026-01-06T12:00:00Z'),
    });
    const byId = new Map(decisions.map((d) => [d.entry.id, d]));
    expect(
      decisions
        .filter((d) => !d.keep)
        .map((d) => d.entry.id)
        .sort(),
    ).toEqual(['a@2026-01-02T02:00:00Z', 'a@2026-01-03T02:00:00Z']);
    expect(byId.get('a@2026-01-02T02:00:00Z')?.reasons).toEqual([
      'failed and older than the newest successful backup',
    ]);
    expect(byId.get('a@2026-01-05T02:00:00Z')?.reasons).toEqual([
      'newer than the newest successful backup',
    ]);
    expect(byId.get('a@2026-01-06T02:00:00Z')?.reasons).toContain(
      'newest backup (not complete and verified)',
    );
  });

  it('never deletes the newest successful backup, nor the newest verified one, whatever the policy', () => {
    const entries = [
      entry('a', '2025-01-01T02:00:00Z'),
      entry('a', '2025-06-01T02:00:00Z', 'complete', false),
      entry('b', '2025-03-01T02:00:00Z'),
    ];
    const decisions = planRetention({
      entries,
      policy: { keepLast: 0, keepDays: 1 },
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(decisions.every((d) => d.keep)).toBe(true);
    expect(decisions.find((d) => d.entry.id === 'a@2025-06-01T02:00:00Z')?.reasons).toEqual([
      'newest successful backup',
    ]);
    expect(decisions.find((d) => d.entry.id === 'a@2025-01-01T02:00:00Z')?.reasons).toEqual([
      'newest complete and verified backup',
    ]);
  });

  it('keeps everything of a database that never succeeded', () => {
    const entries = [
      entry('a', '2026-01-01T02:00:00Z', 'failed'),
      entry('a', '2026-01-02T02:00:00Z', 'incomplete'),
    ];
    expect(kept(entries, { keepLast: 1 }, '2026-01-03T00:00:00Z')).toEqual([
      'a@2026-01-01T02:00:00Z',
      'a@2026-01-02T02:00:00Z',
    ]);
  });

  it('keeps backups that started after now (a clock that went back)', () => {
    const entries = [
      ...dailies('a', '2026-01-01', '2026-01-05'),
      entry('a', '2026-02-01T00:00:00Z'),
    ];
    expect(kept(entries, { keepLast: 1 }, '2026-01-05T12:00:00Z')).toEqual([
      'a@2026-01-05',
      'a@2026-02-01T00:00:00Z',
    ]);
  });

  it('keeps the newest success of each of the last N days, ISO weeks, months and years (UTC)', () => {
    // Nearly three years of dailies with a three-week gap, a failed last day of November and a
    // corrupt last day of February; now is Sunday 2026-03-15 12:00 UTC (ISO week 2026-W11).
    const gap = (e: RetentionEntry) => !(e.id >= 'a@2025-06-20' && e.id <= 'a@2025-07-10');
    const history = withState(dailies('a', '2023-06-01', '2026-03-15').filter(gap), {
      'a@2025-11-30': 'failed',
      'a@2026-02-28': 'corrupt',
    });
    const other = dailies('b', '2026-03-01', '2026-03-15');
    const result = kept(
      [...history, ...other],
      { gfs: { daily: 7, weekly: 4, monthly: 12, yearly: 3 } },
      '2026-03-15T12:00:00Z',
    );

    const days = ['09', '10', '11', '12', '13', '14', '15'].map((d) => `a@2026-03-${d}`);
    const weeks = ['a@2026-03-08', 'a@2026-03-01', 'a@2026-02-22'];
    const months = [
      'a@2026-02-27',
      'a@2026-01-31',
      'a@2025-12-31',
      'a@2025-11-29',
      'a@2025-10-31',
      'a@2025-09-30',
      'a@2025-08-31',
      'a@2025-07-31',
      'a@2025-06-19',
      'a@2025-05-31',
      'a@2025-04-30',
    ];
    const years = ['a@2024-12-31'];
    const b = [
      'b@2026-03-01',
      'b@2026-03-08',
      ...['09', '10', '11', '12', '13', '14', '15'].map((d) => `b@2026-03-${d}`),
    ];
    expect(result).toEqual([...days, ...weeks, ...months, ...years, ...b].sort());
  });

  it('treats Sunday 23:59 and Monday 00:00 UTC as different ISO weeks', () => {
    const entries = [
      entry('a', '2026-03-08T23:59:00Z'),
      entry('a', '2026-03-09T00:00:00Z'),
      entry('a', '2026-03-08T01:00:00Z'),
    ];
    expect(
      kept(
        entries,
        { gfs: { daily: 0, weekly: 2, monthly: 0, yearly: 0 } },
        '2026-03-10T00:00:00Z',
      ),
    ).toEqual(['a@2026-03-08T23:59:00Z', 'a@2026-03-09T00:00:00Z']);
  });

  it('gives every reason a kept backup has, and one reason for each deletion', () => {
    const entries = dailies('a', '2026-01-01', '2026-01-03');
    const decisions = planRetention({
      entries,
      policy: { keepLast: 1, gfs: { daily: 1, weekly: 0, monthly: 0, yearly: 0 } },
      now: new Date('2026-01-03T12:00:00Z'),
    });
    expect(decisions.map((d) => [d.entry.id, d.keep, d.reasons])).toEqual([
      [
        'a@2026-01-03',
        true,
        [
          'newest successful backup',
          'newest complete and verified backup',
          'keep-last 1/1',
          'gfs daily 2026-01-03',
        ],
      ],
      ['a@2026-01-02', false, ['kept by no rule']],
      ['a@2026-01-01', false, ['kept by no rule']],
    ]);
  });
});
