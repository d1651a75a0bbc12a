// Durations and points in time as people type them: `26h`, `7d`, `2w`, or an ISO 8601 time.
import { ExitCode, UserError } from '../errors.js';

const unitMs: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses `90s`, `30m`, `26h`, `7d`, `2w` (or sums like `1d12h`) into milliseconds. */
export function parseDuration(text: string, option: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)\s*([smhdw])/g)];
  const joined = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || joined.replace(/\s/g, '') !== text.replace(/\s/g, '')) {
    throw new UserError(`invalid duration '${text}' for --${option}`, {
      code: ExitCode.usage,
      hint: 'Write a number and a unit s, m, h, d or w, for example 26h or 7d.',
    });
  }
  const total = parts.reduce((sum, p) => sum + Number(p[1]) * (unitMs[p[2] ?? 's'] ?? 0), 0);
  if (total <= 0) {
    throw new UserError(`duration '${text}' for --${option} must be more than zero`, {
      code: ExitCode.usage,
      hint: 'Give a positive duration, for example 24h.',
    });
  }
  return total;
}

/**
 * Parses a point in time: an ISO 8601 date or time (a date alone is midnight UTC; a time
 * without a zone is UTC), or a duration meaning that long before `now` (`7d`).
 */
export function parseTimePoint(text: string, option: string, now: Date): Date {
  if (/^\d+(?:\.\d+)?\s*[smhdw]/.test(text.trim())) {
    return new Date(now.getTime() - parseDuration(text, option));
  }
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(text);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : hasZone ? text : `${text}Z`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new UserError(`invalid time '${text}' for --${option}`, {
      code: ExitCode.usage,
      hint: 'Give an ISO 8601 time such as 2026-01-31 or 2026-01-31T04:00:00Z, or an age such as 7d.',
    });
  }
  return date;
}

/** 93_600_000 → "1d 2h"; under a minute → "0m". */
export function formatAge(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return mins > 0 ? `${hours}h ${mins}m` : `${hours}h`;
  return `${mins}m`;
}
