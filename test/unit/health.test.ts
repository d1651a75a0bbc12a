import { describe, expect, it } from 'vitest';
import {
  evaluateHealth,
  healthExitCode,
  type DatabaseFacts,
  type HealthInput,
} from '../../src/plan/health.js';

const hour = 3_600_000;
const now = new Date('2026-03-15T12:00:00Z');

function facts(ageHours: number, extra: Partial<DatabaseFacts> = {}): DatabaseFacts {
  const startedAt = new Date(now.getTime() - ageHours * hour);
  return {
    engine: 'postgres',
    database: 'app',
    newest: {
      file: 'app.pgdump.zst',
      startedAt,
      storedBytes: 1000,
      verified: true,
      deepVerified: false,
    },
    successTimes: [startedAt],
    failuresSince: 0,
    ...extra,
  };
}

function input(databases: DatabaseFacts[], extra: Partial<HealthInput> = {}): HealthInput {
  return {
    databases,
    freeBytes: 1_000_000,
    catalog: { problem: undefined, missingFiles: [], notInCatalog: [] },
    now,
    maxAgeMs: 26 * hour,
    intervalMs: 24 * hour,
    ...extra,
  };
}

describe('evaluateHealth()', () => {
  it('counts the files of a set once for free space: as its members, not again as the set', () => {
    const member = facts(1, { database: 'app' });
    const set = facts(1, { database: '(cluster h:5432)', isSet: true });
    const disk = (freeBytes: number) =>
      evaluateHealth(input([member, set], { freeBytes })).checks.find(
        (c) => c.name === 'free space',
      );
    expect(disk(2000)?.level).toBe('ok');
    expect(disk(1999)?.level).toBe('warning');
    expect(disk(2000)?.detail).toMatch(/newest backups take 1000 B/);
  });

  it.each([
    [1, 'ok', 0],
    [25.9, 'ok', 0],
    [26.1, 'warning', 1],
    [52, 'warning', 1],
    [52.1, 'critical', 2],
  ])('a newest backup %d h old with --max-age 26h is %s (exit %d)', (age, level, code) => {
    const report = evaluateHealth(input([facts(age)]));
    expect(report.level).toBe(level);
    expect(healthExitCode(report.level)).toBe(code);
    expect(report.databases[0]?.checks.find((c) => c.name === 'age')?.level).toBe(level);
  });

  it('is critical for a database that never had a successful backup', () => {
    const report = evaluateHealth(
      input([facts(1, { newest: undefined, successTimes: [], failuresSince: 2 })]),
    );
    expect(report.level).toBe('critical');
    expect(report.databases[0]?.checks.map((c) => c.name)).toEqual(['age', 'failures']);
  });

  it('warns when the newest backup is not verified, or runs failed after it', () => {
    const unverified = facts(1);
    unverified.newest = { ...unverified.newest!, verified: false };
    expect(evaluateHealth(input([unverified])).level).toBe('warning');
    expect(evaluateHealth(input([facts(1, { failuresSince: 1 })])).level).toBe('warning');
  });

  it('compares free space with the newest backups of every database', () => {
    const two = [facts(1), facts(1, { database: 'other' })];
    expect(evaluateHealth(input(two, { freeBytes: 4000 })).level).toBe('ok');
    expect(evaluateHealth(input(two, { freeBytes: 3999 })).level).toBe('warning');
    expect(evaluateHealth(input(two, { freeBytes: 1999 })).level).toBe('critical');
    expect(evaluateHealth(input(two, { freeBytes: undefined })).level).toBe('warning');
  });

  it('warns when the catalog and the files disagree, or the catalog is missing', () => {
    const missing = { problem: undefined, missingFiles: ['gone.pgdump.zst'], notInCatalog: [] };
    const report = evaluateHealth(input([facts(1)], { catalog: missing }));
    expect(report.level).toBe('warning');
    expect(report.checks.find((c) => c.name === 'catalog')?.detail).toBe(
      '1 file(s) missing, 0 backup(s) not in the catalog',
    );
    const absent = { problem: "catalog 'x' does not exist", missingFiles: [], notInCatalog: [] };
    expect(evaluateHealth(input([facts(1)], { catalog: absent })).level).toBe('warning');
  });

  it('is critical when there are no backups at all', () => {
    expect(evaluateHealth(input([])).level).toBe('critical');
  });

  it('counts backups missed in the last 7 days without changing the level', () => {
    const times = [3, 2, 1, 0].map((d) => new Date(now.getTime() - (d * 48 + 1) * hour));
    const report = evaluateHealth(input([facts(1, { successTimes: times })]));
    expect(report.databases[0]?.missedLastWeek).toBe(3);
    expect(report.level).toBe('ok');
  });
});
