// `dbbackup catalog stats`: per database count, size, compression ratio, success rate, last success.
import { findBackups } from '../../catalog/queries.js';
import { setKinds, type BackupRecord } from '../../catalog/records.js';
import { groupOf, subjectOf, withKnownServers } from '../../catalog/verification.js';
import { ExitCode } from '../../errors.js';
import { formatBytes, formatLocalTime } from '../../events/format.js';
import { withCatalog } from '../catalog-access.js';
import type { CommandSpec } from '../command.js';
import { stringOption } from '../context.js';
import { present } from '../render.js';

/** Figures of one database (or one server's sets), or of all files (`database` null). */
export interface DatabaseStats {
  engine: string | null;
  /** The database, `(cluster SERVER)` for a server's sets, `(globals SERVER)`; null: all. */
  database: string | null;
  backups: number;
  failed: number;
  storedBytes: number;
  dumpBytes: number;
  /** Dump bytes per stored byte; null without a complete backup. */
  compressionRatio: number | null;
  /** Complete backups per attempt (complete, incomplete and failed), 0..1. */
  successRate: number | null;
  lastSuccess: string | null;
}

/** Computes the figures of some records. */
export function statsOf(
  records: readonly BackupRecord[],
  key: Pick<DatabaseStats, 'engine' | 'database'>,
): DatabaseStats {
  const complete = records.filter((r) => r.status === 'complete');
  const storedBytes = complete.reduce((sum, r) => sum + (r.storedBytes ?? 0), 0);
  const dumpBytes = complete.reduce((sum, r) => sum + (r.dumpBytes ?? 0), 0);
  const last =
    complete
      .map((r) => r.startedAt)
      .sort()
      .at(-1) ?? null;
  return {
    ...key,
    backups: complete.length,
    failed: records.length - complete.length,
    storedBytes,
    dumpBytes,
    compressionRatio: storedBytes > 0 ? dumpBytes / storedBytes : null,
    successRate: records.length > 0 ? complete.length / records.length : null,
    lastSuccess: last,
  };
}

const percent = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);

/** The command. */
export const catalogStatsCommand: CommandSpec = {
  name: 'catalog stats',
  description:
    'count, size, compression ratio, success rate and last success per database and per server of sets',
  args: [],
  usesServer: false,
  run: (ctx) =>
    withCatalog(ctx, ({ catalog }) => {
      const records = withKnownServers(
        findBackups(catalog, { database: stringOption(ctx, 'database-glob') }),
      );
      const groups = new Map<string, BackupRecord[]>();
      for (const r of records) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r]);
      const rows = [...groups.values()]
        .map((list) => {
          const first = list[0];
          return statsOf(list, {
            engine: first?.engine ?? null,
            database: first === undefined ? null : subjectOf(first),
          });
        })
        .sort((a, b) => ((a.database ?? '') < (b.database ?? '') ? -1 : 1));
      // A set's row sums its members': the total counts files (and failed attempts) once.
      const total = statsOf(
        records.filter((r) => r.kind !== setKinds.set || r.file === null),
        { engine: null, database: null },
      );
      present(ctx, {
        data: { command: 'catalog stats', catalog: catalog.path, total, databases: rows },
        rows: [...rows, total],
        columns: [
          { header: 'DATABASE', text: (s) => s.database ?? '(all)', raw: (s) => s.database },
          { header: 'ENGINE', text: (s) => s.engine ?? '', raw: (s) => s.engine },
          { header: 'BACKUPS', text: (s) => String(s.backups), raw: (s) => s.backups },
          { header: 'FAILED', text: (s) => String(s.failed), raw: (s) => s.failed },
          { header: 'SIZE', text: (s) => formatBytes(s.storedBytes), raw: (s) => s.storedBytes },
          {
            header: 'RATIO',
            text: (s) => (s.compressionRatio === null ? '-' : `${s.compressionRatio.toFixed(2)}x`),
            raw: (s) => s.compressionRatio,
          },
          { header: 'SUCCESS', text: (s) => percent(s.successRate), raw: (s) => s.successRate },
          {
            header: 'LAST SUCCESS',
            text: (s) => (s.lastSuccess === null ? 'never' : formatLocalTime(s.lastSuccess)),
            raw: (s) => s.lastSuccess,
          },
        ],
      });
      return ExitCode.ok;
    }),
};
