// `dbbackup health`: ok / warning / critical per database, with the monitoring exit codes 0/1/2.
import { journalPathOf } from '../../catalog/journal.js';
import { gatherHealthFacts } from '../../jobs/health-facts.js';
import { formatAge, parseDuration } from '../../plan/duration.js';
import { evaluateHealth, healthExitCode, type HealthReport } from '../../plan/health.js';
import { catalogPathFor } from '../catalog-hook.js';
import type { CommandSpec } from '../command.js';
import { stringOption, storageOf } from '../context.js';

/** The command. */
export const healthCommand: CommandSpec = {
  name: 'health',
  description:
    'check backup age, verification, gaps, free space and the catalog (exit 0 ok, 1 warning, 2 critical)',
  args: [],
  usesServer: false,
  async run(ctx) {
    const maxAgeMs = parseDuration(stringOption(ctx, 'max-age') ?? '26h', 'max-age');
    const intervalMs = parseDuration(stringOption(ctx, 'interval') ?? '24h', 'interval');
    const storage = storageOf(ctx);
    const facts = await gatherHealthFacts({
      storage,
      catalogPath: catalogPathFor(ctx, storage.location),
      journalPath: journalPathOf(storage.location),
      databaseGlob: stringOption(ctx, 'database-glob'),
    });
    const now = ctx.clock.now();
    const report = evaluateHealth({ ...facts, now, maxAgeMs, intervalMs });
    ctx.output.result(
      {
        command: 'health',
        directory: storage.location,
        checkedAt: now.toISOString(),
        maxAgeMs,
        ...report,
      },
      reportLines(report),
    );
    return healthExitCode(report.level);
  },
};

function reportLines(report: HealthReport): string[] {
  const lines = [`health: ${report.level.toUpperCase()}`];
  for (const db of report.databases) {
    const age = db.ageMs === null ? 'no successful backup' : `newest ${formatAge(db.ageMs)} old`;
    lines.push(
      `${db.level.padEnd(8)} ${db.engine} '${db.database}': ${age}, ${db.missedLastWeek} missed in the last 7 days`,
    );
    for (const check of db.checks)
      lines.push(`  ${check.level.padEnd(8)} ${check.name}: ${check.detail}`);
  }
  for (const check of report.checks)
    lines.push(`${check.level.padEnd(8)} ${check.name}: ${check.detail}`);
  return lines;
}
