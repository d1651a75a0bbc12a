// Calendar periods in UTC for GFS retention: days, ISO weeks (from Monday), months, years.

/** A kind of calendar period. */
export type PeriodUnit = 'day' | 'week' | 'month' | 'year';

const dayMs = 86_400_000;

/**
 * A whole number that is the same for every instant in one period and one more for the next:
 * days since 1970-01-01 UTC; weeks since Monday 1969-12-29 (ISO weeks start on Monday);
 * months as year × 12 + month; years as the year. All boundaries are at 00:00 UTC.
 */
export function periodIndex(date: Date, unit: PeriodUnit): number {
  const days = Math.floor(date.getTime() / dayMs);
  switch (unit) {
    case 'day':
      return days;
    case 'week':
      // 1970-01-01 was a Thursday: three days after the Monday that starts its ISO week.
      return Math.floor((days + 3) / 7);
    case 'month':
      return date.getUTCFullYear() * 12 + date.getUTCMonth();
    case 'year':
      return date.getUTCFullYear();
  }
}

/** A period's name for people: 2026-01-31, 2026-W05, 2026-01, 2026. */
export function periodLabel(date: Date, unit: PeriodUnit): string {
  const iso = date.toISOString();
  switch (unit) {
    case 'day':
      return iso.slice(0, 10);
    case 'week': {
      const { year, week } = isoWeek(date);
      return `${year}-W${String(week).padStart(2, '0')}`;
    }
    case 'month':
      return iso.slice(0, 7);
    case 'year':
      return iso.slice(0, 4);
  }
}

/** The ISO 8601 week-numbering year and week of a UTC date. */
export function isoWeek(date: Date): { year: number; week: number } {
  // The Thursday of the same ISO week decides the year the week belongs to; 4 January is
  // always in week 1.
  const weekday = (date.getUTCDay() + 6) % 7;
  const thursday = Date.UTC(
    date.getUTCFullYear(),
    date.getUTCMonth(),
    date.getUTCDate() - weekday + 3,
  );
  const year = new Date(thursday).getUTCFullYear();
  const january4 = Date.UTC(year, 0, 4);
  const firstMonday = january4 - ((new Date(january4).getUTCDay() + 6) % 7) * dayMs;
  return { year, week: Math.floor((thursday - firstMonday) / (7 * dayMs)) + 1 };
}
