// Opens the catalog of the backup directory for the catalog commands, building it when new.
import { journalPathOf } from '../catalog/journal.js';
import { openCatalog, type Catalog } from '../catalog/open.js';
import { syncCatalog } from '../catalog/sync.js';
import type { LocalTarget } from '../storage/local/local-target.js';
import { catalogPathFor } from './catalog-hook.js';
import type { CommandContext } from './context.js';
import { storageOf } from './context.js';

/** An open catalog and the backup directory it indexes. */
export interface CatalogAccess {
  catalog: Catalog;
  storage: LocalTarget;
  journalPath: string;
}

/**
 * Opens the catalog; a catalog that did not exist is filled from the manifests first, so a
 * deleted catalog reads the same as the old one. The caller closes it.
 */
export async function openCatalogOf(ctx: CommandContext): Promise<CatalogAccess> {
  const storage = storageOf(ctx);
  const journalPath = journalPathOf(storage.location);
  const catalog = openCatalog(catalogPathFor(ctx, storage.location));
  if (catalog.created) {
    try {
      const summary = await syncCatalog(catalog, storage, journalPath);
      ctx.output.emit({
        kind: 'step',
        text: `catalog '${catalog.path}' was missing; built it from ${summary.backups} manifest(s)`,
      });
    } catch (error) {
      catalog.close();
      throw error;
    }
  }
  return { catalog, storage, journalPath };
}

/** Runs `use` with the open catalog and closes it afterwards. */
export async function withCatalog<T>(
  ctx: CommandContext,
  use: (access: CatalogAccess) => Promise<T> | T,
): Promise<T> {
  const access = await openCatalogOf(ctx);
  try {
    return await use(access);
  } finally {
    access.catalog.close();
  }
}
