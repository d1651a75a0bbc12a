// `dbbackup cleanup`: apply a retention policy per database; `--dry-run` only says what and why.
import { journalPathOf } from '../../catalog/journal.js';
import { setKinds } from '../../catalog/records.js';
import { subjectOf } from '../../catalog/verification.js';
import { ExitCode } from '../../errors.js';
import { formatLocalTime } from '../../events/format.js';
import { runCleanup, type CleanupDecision } from '../../jobs/cleanup.js';
import { describePolicy, parsePolicy } from '../../plan/retention-policy.js';
import { catalogPathFor } from '../catalog-hook.js';
import type { CommandSpec } from '../command.js';
import { flagOption, numberOption, stringOption, storageOf } from '../context.js';
import { formatTable } from '../table.js';

/** The command. */
export const cleanupCommand: CommandSpec = {
  name: 'cleanup',
  description:
    'delete backups the retention policy does not keep, per database (and per server for sets)',
  args: [],
  usesServer: false,
  async run(ctx) {
    const policy = parsePolicy({
      keepLast: numberOption(ctx, 'keep-last'),
      keepDays: numberOption(ctx, 'keep-days'),
      gfs: stringOption(ctx, 'gfs'),
    });
    const storage = storageOf(ctx);
    const dryRun = flagOption(ctx, 'dry-run');
    const result = await runCleanup({
      storage,
      catalogPath: catalogPathFor(ctx, storage.location),
      journalPath: journalPathOf(storage.location),
      policy,
      databaseGlob: stringOption(ctx, 'database-glob'),
      now: ctx.clock.now(),
      dryRun,
      emit: ctx.output.emit,
    });

    const doomed = result.decisions.filter((d) => !d.keep);
    const verb = dryRun ? 'would delete' : 'deleted';
    ctx.output.result(
      {
        command: 'cleanup',
        ok: true,
        dryRun,
        policy,
        directory: storage.location,
        decisions: result.decisions.map(decisionJson),
        deleted: dryRun ? [] : result.removed,
      },
      [
        `policy: ${describePolicy(policy)} (per database, and per server for sets; times in UTC)`,
        ...formatTable(
          ['ACTION', 'DATABASE', 'STARTED', 'STATE', 'BACKUP', 'WHY'],
          result.decisions.map((d) => [
            d.keep ? 'keep' : dryRun ? 'DELETE?' : 'DELETED',
            subjectOf(d.record),
            formatLocalTime(d.record.startedAt),
            d.entry.state,
            d.record.file === null
              ? '(failed attempt)'
              : d.record.kind === setKinds.set
                ? `${d.record.file}/ (whole set)`
                : d.record.file,
            d.reasons.join('; '),
          ]),
        ),
        `${verb} ${doomed.length}, kept ${result.decisions.length - doomed.length}` +
          (dryRun ? ' (dry run: nothing was deleted)' : ''),
      ],
    );
    return ExitCode.ok;
  },
};

function decisionJson(d: CleanupDecision): Record<string, unknown> {
  return {
    action: d.keep ? 'keep' : 'delete',
    id: d.record.id,
    kind: d.record.kind,
    file: d.record.file,
    host: d.record.host,
    engine: d.record.engine,
    database: d.record.database,
    startedAt: d.record.startedAt,
    state: d.entry.state,
    verified: d.entry.verified,
    reasons: d.reasons,
  };
}
