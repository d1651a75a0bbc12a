// `dbbackup verify BACKUP [--quick]`: checksum, and by default a full structural read.
import { ExitCode } from '../../errors.js';
import { locateBackup } from '../../jobs/locate.js';
import { verifyBackup } from '../../jobs/verify-backup.js';
import { beginRun, runSubjectOf } from '../catalog-hook.js';
import type { CommandSpec } from '../command.js';
import { engineOf, flagOption, stringOption } from '../context.js';
import { createEngine } from '../../engines/registry.js';

/** The command. */
export const verifyCommand: CommandSpec = {
  name: 'verify',
  description: 'check that a backup is intact and complete',
  args: [{ name: 'backup', description: 'backup file or its .manifest.json', required: true }],
  usesServer: false,
  async run(ctx, [path = '']) {
    const backup = await locateBackup(path, stringOption(ctx, 'backup-dir') ?? '.');
    // The engine that reads the dump is the one that wrote it, whatever --db-type says.
    const configured = engineOf(ctx);
    const engine =
      backup.manifest === undefined || backup.manifest.engine === configured.type
        ? configured
        : createEngine(backup.manifest.engine, { connection: {}, spawn: ctx.spawn, env: ctx.env });
    const depth = flagOption(ctx, 'quick') ? 'quick' : 'full';
    const attempt = beginRun(ctx, runSubjectOf(backup, 'verify', depth));
    const result = await verifyBackup({
      backup,
      engine,
      quick: flagOption(ctx, 'quick'),
      spawn: ctx.spawn,
      env: ctx.env,
      emit: ctx.output.emit,
      clock: ctx.clock,
    }).catch(attempt.failed);
    await attempt.succeeded();
    ctx.output.result({ command: 'verify', ok: true, ...result }, [
      `backup ${result.file} of '${result.database}' is intact`,
      ...result.checks.map((check) => `  ok ${check}`),
    ]);
    return ExitCode.ok;
  },
};
