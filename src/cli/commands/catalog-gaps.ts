// `dbbackup catalog gaps [--interval 24h]`: missed scheduled backups per database.
import { findBackups } from '../../catalog/queries.js';
import { groupOf, subjectOf } from '../../catalog/verification.js';
import { ExitCode } from '../../errors.js';
import { formatLocalTime } from '../../events/format.js';
import { formatAge, parseDuration } from '../../plan/duration.js';
import { findGaps, type Gap } from '../../plan/gaps.js';
import { withCatalog } from '../catalog-access.js';
import type { CommandSpec } from '../command.js';
import { stringOption } from '../context.js';
import { present } from '../render.js';

interface GapRow extends Gap {
  engine: string;
  database: string;
}

const iso = (d: Date | undefined) => d?.toISOString() ?? null;

/** The command. */
export const catalogGapsCommand: CommandSpec = {
  name: 'catalog gaps',
  description:
    'list missed scheduled backups per database (successful backups further apart than --interval)',
  args: [],
  usesServer: false,
  run: (ctx) =>
    withCatalog(ctx, ({ catalog }) => {
      const intervalMs = parseDuration(stringOption(ctx, 'interval') ?? '24h', 'interval');
      const now = ctx.clock.now();
      const complete = findBackups(catalog, {
        database: stringOption(ctx, 'database-glob'),
      }).filter((r) => r.status === 'complete');
      const groups = new Map<string, { engine: string; database: string; times: Date[] }>();
      for (const r of complete) {
        const group = groups.get(groupOf(r)) ?? {
          engine: r.engine,
          database: subjectOf(r),
          times: [],
        };
        group.times.push(new Date(r.startedAt));
        groups.set(groupOf(r), group);
      }
      const rows: GapRow[] = [...groups.values()].flatMap((g) =>
        findGaps({ times: g.times, intervalMs, now }).map((gap) => ({
          ...gap,
          engine: g.engine,
          database: g.database,
        })),
      );
      present(ctx, {
        data: {
          command: 'catalog gaps',
          intervalMs,
          gaps: rows.map((r) => ({ ...r, from: iso(r.from), to: iso(r.to) })),
        },
        rows,
        columns: [
          { header: 'DATABASE', text: (r) => r.database, raw: (r) => r.database },
          {
            header: 'AFTER',
            text: (r) => (r.from === undefined ? '-' : formatLocalTime(r.from.toISOString())),
            raw: (r) => iso(r.from),
          },
          {
            header: 'UNTIL',
            text: (r) => (r.to === undefined ? 'now (open)' : formatLocalTime(r.to.toISOString())),
            raw: (r) => iso(r.to),
          },
          {
            header: 'LENGTH',
            text: (r) => formatAge((r.to ?? now).getTime() - (r.from ?? now).getTime()),
            raw: (r) => (r.to ?? now).getTime() - (r.from ?? now).getTime(),
          },
          { header: 'MISSED', text: (r) => String(r.missed), raw: (r) => r.missed },
        ],
        heading: [
          `schedule: every ${formatAge(intervalMs)} (a backup more than 25% late counts as missed)`,
        ],
      });
      return ExitCode.ok;
    }),
};
