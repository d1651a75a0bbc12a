// `dbbackup catalog sync [DIR]`: rebuild or repair the catalog from the manifests and journal.
import { resolve } from 'node:path';
import { journalPathOf } from '../../catalog/journal.js';
import { catalogPathOf, openCatalog } from '../../catalog/open.js';
import { syncCatalog } from '../../catalog/sync.js';
import { ExitCode } from '../../errors.js';
import { LocalTarget } from '../../storage/local/local-target.js';
import type { CommandSpec } from '../command.js';
import { stringOption } from '../context.js';

/** The command. */
export const catalogSyncCommand: CommandSpec = {
  name: 'catalog sync',
  description: 'rebuild or repair the catalog from the manifests (and the run journal)',
  args: [{ name: 'dir', description: 'backup directory (default: --backup-dir)', required: false }],
  usesServer: false,
  async run(ctx, [dir]) {
    const directory = resolve(
      dir === undefined || dir === '' ? (stringOption(ctx, 'backup-dir') ?? '.') : dir,
    );
    const storage = new LocalTarget(directory);
    // An explicit --catalog names the file, whichever directory it indexes.
    const catalog = openCatalog(resolve(catalogPathOf(directory, stringOption(ctx, 'catalog'))));
    try {
      const summary = await syncCatalog(catalog, storage, journalPathOf(directory));
      for (const bad of summary.unreadable) {
        ctx.output.emit({
          kind: 'warning',
          text: `manifest '${bad.name}' was skipped: ${bad.problem}`,
        });
      }
      if (summary.skippedLines > 0) {
        ctx.output.emit({
          kind: 'warning',
          text: `${summary.skippedLines} unreadable journal line(s) were skipped`,
        });
      }
      ctx.output.result({ command: 'catalog sync', catalog: catalog.path, directory, ...summary }, [
        `catalog '${catalog.path}' matches '${directory}': ${summary.backups} backup(s), ` +
          `${summary.failures} failed attempt(s), ${summary.runs} verify/restore run(s)`,
        `  added ${summary.added.length}, removed ${summary.removed.length}, updated ${summary.updated.length}`,
      ]);
      return ExitCode.ok;
    } finally {
      catalog.close();
    }
  },
};
