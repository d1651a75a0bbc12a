// The commands the terminal UI runs: the CLI's own, plus deleting one backup (the browser's
// delete action), which calls the same job cleanup uses.
import { journalPathOf } from '../catalog/journal.js';
import { catalogPathFor } from '../cli/catalog-hook.js';
import type { CommandSpec } from '../cli/command.js';
import { allCommands } from '../cli/commands/all.js';
import { storageOf } from '../cli/context.js';
import { ExitCode } from '../errors.js';
import { deleteBackup } from '../jobs/delete-backup.js';

/** Deletes one backup (data file, manifest, catalog row) by its file name. */
export const deleteBackupCommand: CommandSpec = {
  name: 'delete backup',
  description: 'delete one backup and its manifest',
  args: [{ name: 'file', description: 'data file name in the backup directory', required: true }],
  usesServer: false,
  async run(ctx, [file = '']) {
    const storage = storageOf(ctx);
    await deleteBackup({
      storage,
      catalogPath: catalogPathFor(ctx, storage.location),
      journalPath: journalPathOf(storage.location),
      file,
      now: ctx.clock.now(),
      emit: ctx.output.emit,
    });
    ctx.output.result({ command: 'delete backup', ok: true, file }, [`deleted ${file}`]);
    return ExitCode.ok;
  },
};

/** Every command the UI may run. */
export const uiCommands: readonly CommandSpec[] = [...allCommands, deleteBackupCommand];
