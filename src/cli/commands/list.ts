// `dbbackup list databases` and `dbbackup list backups`.
import { scanBackups } from '../../catalog/scan.js';
import { ExitCode } from '../../errors.js';
import { formatBytes, formatLocalTime } from '../../events/format.js';
import { formatCompression } from '../../plan/compression.js';
import type { CommandSpec } from '../command.js';
import { engineOf, storageOf } from '../context.js';
import { setListing } from '../set-rows.js';
import { formatTable } from '../table.js';

/** `list databases`: every database on the server with its size. */
export const listDatabasesCommand: CommandSpec = {
  name: 'list databases',
  description: 'list the databases on the server with their sizes',
  args: [],
  usesServer: true,
  async run(ctx) {
    const engine = engineOf(ctx);
    try {
      const databases = await engine.listDatabases();
      ctx.output.result(
        { command: 'list databases', databases },
        formatTable(
          ['DATABASE', 'SIZE'],
          databases.map((db) => [db.name, formatBytes(db.sizeBytes)]),
        ),
      );
      return ExitCode.ok;
    } finally {
      await engine.close();
    }
  },
};

/** `list backups`: the backups in the backup directory, newest last. */
export const listBackupsCommand: CommandSpec = {
  name: 'list backups',
  description: 'list the backups in the backup directory',
  args: [],
  usesServer: false,
  async run(ctx) {
    const storage = storageOf(ctx);
    const found = await scanBackups(storage);
    const sets = await setListing(storage.location);
    const rows = found.map((b) =>
      b.manifest === undefined
        ? ['?', '-', '-', '-', `damaged: ${b.problem}`, b.name]
        : [
            b.manifest.database,
            formatLocalTime(b.manifest.startedAt),
            formatBytes(b.manifest.sizes.stored),
            formatCompression(b.manifest.compression),
            b.manifest.status,
            b.name,
          ],
    );
    const backups = found.map((b) =>
      b.manifest === undefined
        ? { file: b.name, status: 'damaged', problem: b.problem }
        : {
            file: b.name,
            database: b.manifest.database,
            engine: b.manifest.engine,
            startedAt: b.manifest.startedAt,
            size: b.manifest.sizes.stored,
            compression: b.manifest.compression,
            status: b.manifest.status,
          },
    );
    ctx.output.result(
      { command: 'list backups', directory: storage.location, backups, sets: sets.json },
      formatTable(
        ['DATABASE', 'TIME (LOCAL)', 'SIZE', 'COMPRESSION', 'STATUS', 'FILE'],
        [...rows, ...sets.rows],
      ),
    );
    return ExitCode.ok;
  },
};
