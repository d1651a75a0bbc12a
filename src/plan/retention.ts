// Retention: which backups a policy keeps and which it removes, and why. Pure: no I/O, no clock.
import { periodIndex, periodLabel, type PeriodUnit } from './periods.js';

/** What a history entry is: a complete backup, or one that is not worth keeping a slot for. */
export type EntryState = 'complete' | 'incomplete' | 'failed' | 'corrupt';

/** One backup (or failed attempt) in a database's history, as retention sees it. */
export interface RetentionEntry {
  /** The catalog id: the data file name, or the run id of a failed attempt. */
  id: string;
  /** The history it belongs to (one database); policies never look across groups. */
  group: string;
  startedAt: Date;
  state: EntryState;
  /** Complete and its checksum (or more) checked after writing or by a verify run. */
  verified: boolean;
  /** An unfinished set that `backup cluster --resume` would continue (its server's newest). */
  resumable?: boolean;
}

/** How many calendar periods GFS keeps one backup for. */
export interface GfsCounts {
  daily: number;
  weekly: number;
  monthly: number;
  yearly: number;
}

/** A retention policy; a backup kept by any rule is kept. */
export interface RetentionPolicy {
  keepLast?: number;
  keepDays?: number;
  gfs?: GfsCounts;
}

/** The verdict on one entry. */
export interface RetentionDecision {
  entry: RetentionEntry;
  keep: boolean;
  /** Why it is kept (every rule that keeps it), or the one reason it goes. */
  reasons: string[];
}

/** Inputs of {@link planRetention}. */
export interface RetentionInput {
  entries: readonly RetentionEntry[];
  policy: RetentionPolicy;
  now: Date;
}

const dayMs = 86_400_000;

/** Decides every entry, per group, newest first within each group. */
export function planRetention({ entries, policy, now }: RetentionInput): RetentionDecision[] {
  const groups = new Map<string, RetentionEntry[]>();
  for (const entry of entries) groups.set(entry.group, [...(groups.get(entry.group) ?? []), entry]);

  const out: RetentionDecision[] = [];
  for (const group of [...groups.keys()].sort()) {
    out.push(...planGroup(groups.get(group) ?? [], policy, now));
  }
  return out;
}

function planGroup(entries: RetentionEntry[], policy: RetentionPolicy, now: Date) {
  const sorted = [...entries].sort(newestFirst);
  const reasons = new Map<RetentionEntry, string[]>(sorted.map((e) => [e, []]));
  const keep = (entry: RetentionEntry | undefined, why: string) => {
    if (entry !== undefined) reasons.get(entry)?.push(why);
  };

  // Protections come first: they hold whatever the policy says. An entry from after `now`
  // (a clock that went back) is kept and takes no slot from the backups made since.
  const isFuture = (e: RetentionEntry) => e.startedAt.getTime() > now.getTime();
  const complete = sorted.filter((e) => e.state === 'complete' && !isFuture(e));
  const newestSuccess = complete[0];
  keep(newestSuccess, 'newest successful backup');
  keep(
    complete.find((e) => e.verified),
    'newest complete and verified backup',
  );
  const newest = sorted.find((e) => !isFuture(e));
  if (newest !== newestSuccess) keep(newest, 'newest backup (not complete and verified)');
  for (const entry of sorted) {
    if (isFuture(entry)) keep(entry, 'started after now (clock skew)');
    if (entry.resumable === true) keep(entry, 'newest set of its server: --resume continues it');
    if (entry.state !== 'complete' && !isOlder(entry, newestSuccess)) {
      keep(
        entry,
        newestSuccess === undefined
          ? 'no successful backup yet'
          : 'newer than the newest successful backup',
      );
    }
  }

  applyRules(complete, policy, now, keep);
  return sorted.map((entry): RetentionDecision => {
    const why = reasons.get(entry) ?? [];
    if (why.length > 0) return { entry, keep: true, reasons: [...new Set(why)] };
    const gone =
      entry.state === 'complete'
        ? 'kept by no rule'
        : `${entry.state} and older than the newest successful backup`;
    return { entry, keep: false, reasons: [gone] };
  });
}

function applyRules(
  complete: RetentionEntry[],
  policy: RetentionPolicy,
  now: Date,
  keep: (entry: RetentionEntry | undefined, why: string) => void,
): void {
  if (policy.keepLast !== undefined) {
    complete
      .slice(0, policy.keepLast)
      .forEach((e, i) => keep(e, `keep-last ${i + 1}/${policy.keepLast ?? 0}`));
  }
  if (policy.keepDays !== undefined) {
    const since = now.getTime() - policy.keepDays * dayMs;
    for (const e of complete) {
      if (e.startedAt.getTime() >= since) keep(e, `within ${policy.keepDays} day(s)`);
    }
  }
  if (policy.gfs === undefined) return;
  const rules: [PeriodUnit, number][] = [
    ['day', policy.gfs.daily],
    ['week', policy.gfs.weekly],
    ['month', policy.gfs.monthly],
    ['year', policy.gfs.yearly],
  ];
  for (const [unit, count] of rules) {
    const current = periodIndex(now, unit);
    const seen = new Set<number>();
    // `complete` is newest first, so the first entry of each period is its newest.
    for (const e of complete) {
      const index = periodIndex(e.startedAt, unit);
      if (index > current || index <= current - count || seen.has(index)) continue;
      seen.add(index);
      keep(e, `gfs ${gfsName[unit]} ${periodLabel(e.startedAt, unit)}`);
    }
  }
}

const gfsName: Record<PeriodUnit, string> = {
  day: 'daily',
  week: 'weekly',
  month: 'monthly',
  year: 'yearly',
};

function isOlder(entry: RetentionEntry, than: RetentionEntry | undefined): boolean {
  return than !== undefined && entry.startedAt.getTime() < than.startedAt.getTime();
}

function newestFirst(a: RetentionEntry, b: RetentionEntry): number {
  const byTime = b.startedAt.getTime() - a.startedAt.getTime();
  return byTime !== 0 ? byTime : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
