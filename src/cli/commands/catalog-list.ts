// `dbbackup catalog list`: the backups the catalog knows, newest first.
import { findBackups } from '../../catalog/queries.js';
import { ExitCode } from '../../errors.js';
import { parseTimePoint } from '../../plan/duration.js';
import { withCatalog } from '../catalog-access.js';
import { backupColumns, viewJson, viewsOf } from '../catalog-view.js';
import type { CommandSpec } from '../command.js';
import { numberOption, stringOption } from '../context.js';
import { present } from '../render.js';

/** The command. */
export const catalogListCommand: CommandSpec = {
  name: 'catalog list',
  description: 'list the backups in the catalog, newest first',
  args: [],
  usesServer: false,
  run: (ctx) =>
    withCatalog(ctx, ({ catalog }) => {
      const name = stringOption(ctx, 'database-name');
      const since = stringOption(ctx, 'since');
      const limit = numberOption(ctx, 'limit');
      const found = findBackups(catalog, {
        since: since === undefined ? undefined : parseTimePoint(since, 'since', ctx.clock.now()),
      }).filter((r) => name === undefined || r.database === name);
      const views = viewsOf(catalog, limit === undefined ? found : found.slice(0, limit));
      present(ctx, {
        data: { command: 'catalog list', catalog: catalog.path, backups: views.map(viewJson) },
        rows: views,
        columns: backupColumns,
      });
      return ExitCode.ok;
    }),
};
