// `dbbackup catalog search`: backups by database glob, time range, verified and encrypted.
import { findBackups } from '../../catalog/queries.js';
import { ExitCode, UserError } from '../../errors.js';
import { parseTimePoint } from '../../plan/duration.js';
import { withCatalog } from '../catalog-access.js';
import { backupColumns, viewJson, viewsOf, type BackupView } from '../catalog-view.js';
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { numberOption, stringOption } from '../context.js';
import { present } from '../render.js';

/** The command. */
export const catalogSearchCommand: CommandSpec = {
  name: 'catalog search',
  description: 'find backups by database pattern, time range, verification and encryption',
  args: [],
  usesServer: false,
  run: (ctx) =>
    withCatalog(ctx, ({ catalog }) => {
      const now = ctx.clock.now();
      const time = (key: 'since' | 'until') => {
        const text = stringOption(ctx, key);
        return text === undefined ? undefined : parseTimePoint(text, key, now);
      };
      const verified = yesNo(ctx, 'verified');
      const encrypted = yesNo(ctx, 'encrypted');
      const records = findBackups(catalog, {
        database: stringOption(ctx, 'database-glob'),
        since: time('since'),
        until: time('until'),
      });
      const matches = (v: BackupView) =>
        (verified === undefined || isVerified(v) === verified) &&
        (encrypted === undefined || (v.record.encryption !== null) === encrypted);
      const limit = numberOption(ctx, 'limit');
      const views = viewsOf(catalog, records).filter(matches);
      const shown = limit === undefined ? views : views.slice(0, limit);
      present(ctx, {
        data: { command: 'catalog search', catalog: catalog.path, backups: shown.map(viewJson) },
        rows: shown,
        columns: backupColumns,
      });
      return ExitCode.ok;
    }),
};

function isVerified({ record, verification }: BackupView): boolean {
  return record.status === 'complete' && verification.checksum && !verification.corrupt;
}

function yesNo(ctx: CommandContext, key: string): boolean | undefined {
  const text = stringOption(ctx, key)?.toLowerCase();
  if (text === undefined) return undefined;
  if (['yes', 'true', '1'].includes(text)) return true;
  if (['no', 'false', '0'].includes(text)) return false;
  throw new UserError(`invalid value '${text}' for --${key}`, {
    code: ExitCode.usage,
    hint: `Use --${key} yes or --${key} no.`,
  });
}
