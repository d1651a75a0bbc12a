// Health: turns facts about the backups into ok / warning / critical, per check. Pure.
import { formatBytes } from '../events/format.js';
import { formatAge } from './duration.js';
import { findGaps } from './gaps.js';

/** A monitoring level; the exit code of `health` is its index (0, 1, 2). */
export type HealthLevel = 'ok' | 'warning' | 'critical';

/** One check's outcome. */
export interface HealthCheck {
  name: string;
  level: HealthLevel;
  detail: string;
}

/** What is known about one database's backups (or one server's sets). */
export interface DatabaseFacts {
  engine: string;
  database: string;
  /** A server's sets: their files are its members', already counted for free space. */
  isSet?: boolean;
  /** The newest complete backup that is not known to be corrupt. */
  newest?: {
    file: string;
    startedAt: Date;
    storedBytes: number;
    verified: boolean;
    deepVerified: boolean;
  };
  /** Start times of every complete backup, for the gaps. */
  successTimes: readonly Date[];
  /** Failed attempts (and corrupt backups) newer than `newest`. */
  failuresSince: number;
}

/** Inputs of {@link evaluateHealth}. */
export interface HealthInput {
  databases: readonly DatabaseFacts[];
  /** Free bytes in the backup directory, or undefined when it cannot be measured. */
  freeBytes: number | undefined;
  catalog: { problem: string | undefined; missingFiles: string[]; notInCatalog: string[] };
  now: Date;
  maxAgeMs: number;
  intervalMs: number;
}

/** The health of one database. */
export interface DatabaseHealth {
  engine: string;
  database: string;
  level: HealthLevel;
  newestFile: string | null;
  ageMs: number | null;
  verified: boolean;
  deepVerified: boolean;
  /** Scheduled backups missed in the last 7 days. */
  missedLastWeek: number;
  checks: HealthCheck[];
}

/** The whole report. */
export interface HealthReport {
  level: HealthLevel;
  databases: DatabaseHealth[];
  checks: HealthCheck[];
}

const levels: readonly HealthLevel[] = ['ok', 'warning', 'critical'];
const weekMs = 7 * 86_400_000;

/** The worse of some levels. */
export function worst(list: readonly HealthLevel[]): HealthLevel {
  return levels[Math.max(0, ...list.map((l) => levels.indexOf(l)))] ?? 'ok';
}

/** The exit code of a level: 0 ok, 1 warning, 2 critical. */
export function healthExitCode(level: HealthLevel): number {
  return levels.indexOf(level);
}

/** Evaluates every check. */
export function evaluateHealth(input: HealthInput): HealthReport {
  const databases = input.databases.map((facts) => evaluateDatabase(facts, input));
  const checks = [diskCheck(input), catalogCheck(input)];
  if (databases.length === 0) {
    checks.push({
      name: 'backups',
      level: 'critical',
      detail: 'no backups in the backup directory',
    });
  }
  const level = worst([...databases.map((d) => d.level), ...checks.map((c) => c.level)]);
  return { level, databases, checks };
}

function evaluateDatabase(facts: DatabaseFacts, input: HealthInput): DatabaseHealth {
  const { now, maxAgeMs, intervalMs } = input;
  const { newest } = facts;
  const checks: HealthCheck[] = [];
  const ageMs = newest === undefined ? null : now.getTime() - newest.startedAt.getTime();

  if (newest === undefined || ageMs === null) {
    checks.push({ name: 'age', level: 'critical', detail: 'no successful backup' });
  } else {
    const level = ageMs > 2 * maxAgeMs ? 'critical' : ageMs > maxAgeMs ? 'warning' : 'ok';
    checks.push({
      name: 'age',
      level,
      detail: `newest successful backup is ${formatAge(ageMs)} old (max ${formatAge(maxAgeMs)})`,
    });
    checks.push({
      name: 'verified',
      level: newest.verified ? 'ok' : 'warning',
      detail: newest.deepVerified
        ? 'deep-verified (whole dump read or restored)'
        : newest.verified
          ? 'checksum verified'
          : 'not verified',
    });
  }
  if (facts.failuresSince > 0) {
    checks.push({
      name: 'failures',
      level: 'warning',
      detail: `${facts.failuresSince} failed or corrupt backup(s) since the newest good one`,
    });
  }

  const recent = findGaps({ times: facts.successTimes, intervalMs, now }).filter(
    (gap) => (gap.to ?? now).getTime() >= now.getTime() - weekMs,
  );
  const missedLastWeek = recent.reduce((sum, gap) => sum + gap.missed, 0);
  return {
    engine: facts.engine,
    database: facts.database,
    level: worst(checks.map((c) => c.level)),
    newestFile: newest?.file ?? null,
    ageMs,
    verified: newest?.verified ?? false,
    deepVerified: newest?.deepVerified ?? false,
    missedLastWeek,
    checks,
  };
}

function diskCheck({ databases, freeBytes }: HealthInput): HealthCheck {
  const needed = databases
    .filter((d) => d.isSet !== true)
    .reduce((sum, d) => sum + (d.newest?.storedBytes ?? 0), 0);
  if (freeBytes === undefined) {
    return { name: 'free space', level: 'warning', detail: 'free space could not be measured' };
  }
  const detail = `${formatBytes(freeBytes)} free, newest backups take ${formatBytes(needed)}`;
  const level = freeBytes < needed ? 'critical' : freeBytes < 2 * needed ? 'warning' : 'ok';
  return { name: 'free space', level, detail };
}

function catalogCheck({ catalog }: HealthInput): HealthCheck {
  if (catalog.problem !== undefined) {
    return { name: 'catalog', level: 'warning', detail: catalog.problem };
  }
  const { missingFiles, notInCatalog } = catalog;
  if (missingFiles.length === 0 && notInCatalog.length === 0) {
    return { name: 'catalog', level: 'ok', detail: 'matches the files' };
  }
  return {
    name: 'catalog',
    level: 'warning',
    detail: `${missingFiles.length} file(s) missing, ${notInCatalog.length} backup(s) not in the catalog`,
  };
}
