// Gaps: where scheduled backups were missed, from the times of the successful ones. Pure.

/** A stretch without a successful backup longer than the schedule allows. */
export interface Gap {
  /** The last successful backup before the gap (or undefined: none ever). */
  from: Date | undefined;
  /** The next successful backup, or undefined when the gap is still open at `now`. */
  to: Date | undefined;
  /** How many scheduled backups are missing in it, at least 1. */
  missed: number;
}

/** Inputs of {@link findGaps}. */
export interface GapInput {
  /** Start times of the successful backups of one database, in any order. */
  times: readonly Date[];
  intervalMs: number;
  now: Date;
  /** Lateness tolerated before a backup counts as missed, as a share of the interval. */
  grace?: number;
}

/** The share of the interval a backup may be late without counting as missed. */
export const defaultGrace = 0.25;

/**
 * Finds the gaps: two consecutive successful backups further apart than the interval plus
 * the grace, and the time since the newest one when that is as long. A database without any
 * successful backup has no gaps to report here (health reports it as missing).
 */
export function findGaps({ times, intervalMs, now, grace = defaultGrace }: GapInput): Gap[] {
  const sorted = [...times].sort((a, b) => a.getTime() - b.getTime());
  const limit = intervalMs * (1 + grace);
  const gaps: Gap[] = [];

  for (let i = 1; i < sorted.length; i += 1) {
    const from = sorted[i - 1];
    const to = sorted[i];
    if (from === undefined || to === undefined) continue;
    const span = to.getTime() - from.getTime();
    if (span > limit) gaps.push({ from, to, missed: missedIn(span, intervalMs, grace) });
  }

  const last = sorted.at(-1);
  if (last !== undefined) {
    const span = now.getTime() - last.getTime();
    if (span > limit)
      gaps.push({ from: last, to: undefined, missed: missedIn(span, intervalMs, grace) });
  }
  return gaps;
}

function missedIn(span: number, intervalMs: number, grace: number): number {
  // A span of k intervals (plus grace) holds k − 1 missed backups when the next one came.
  return Math.max(1, Math.floor(span / intervalMs - grace));
}
