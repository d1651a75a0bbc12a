// `dbbackup backup single DB`: one database into the backup directory.
import { describeNeededKey } from '../../encryption/keys.js';
import { ExitCode } from '../../errors.js';
import { formatBytes, formatDuration } from '../../events/format.js';
import { backupSingle } from '../../jobs/backup-single.js';
import { formatCompression, parseCompression } from '../../plan/compression.js';
import { beginBackup, cleanupAfterBackup, cleanupPolicyOf } from '../backup-hooks.js';
import type { CommandSpec } from '../command.js';
import { lockServer } from '../server-lock.js';
import { engineOf, flagOption, stringOption, storageOf } from '../context.js';
import { encryptionOf } from '../keys.js';

/** The command. */
export const backupSingleCommand: CommandSpec = {
  name: 'backup single',
  description: 'back up one database',
  args: [
    { name: 'database', description: 'database name, exactly as on the server', required: true },
  ],
  usesServer: true,
  async run(ctx, [database = '']) {
    const compression = parseCompression(stringOption(ctx, 'compression') ?? 'auto');
    const encryption = await encryptionOf(ctx);
    const engine = engineOf(ctx);
    const storage = storageOf(ctx);
    const cleanup = cleanupPolicyOf(ctx);
    // One backup run per server and backup directory at a time (exit 75 after --lock-timeout).
    const attempt = beginBackup(ctx, { storage, engine: engine.type, database });
    const lock = await lockServer(ctx, engine, storage, 'backup single').catch(attempt.failed);
    try {
      const result = await backupSingle({
        engine,
        storage,
        database,
        compression,
        encryption,
        verify: flagOption(ctx, 'verify'),
        clock: ctx.clock,
        spawn: ctx.spawn,
        env: ctx.env,
        emit: ctx.output.emit,
        signal: ctx.signal,
      }).catch(attempt.failed);
      attempt.succeeded(result.manifest);
      const { manifest } = result;
      const path = `${storage.location}/${result.file}`;
      ctx.output.result(
        {
          command: 'backup single',
          ok: true,
          ...manifest,
          file: path,
          manifestFile: `${path}.manifest.json`,
        },
        [
          `backup of '${database}' complete: ${path}`,
          `  ${formatBytes(manifest.sizes.stored)} stored (${formatBytes(manifest.sizes.dump)} dump, ` +
            `${formatCompression(manifest.compression)}), sha256 ${manifest.checksum.value}`,
          `  compression: ${manifest.compression.reason ?? formatCompression(manifest.compression)}`,
          manifest.encryption === null || manifest.encryption === undefined
            ? '  not encrypted'
            : `  encrypted (age) to ${describeNeededKey(manifest.encryption)}`,
          `  ${manifest.fingerprint.tables.length} table(s) fingerprinted, ` +
            `${manifest.verified.afterBackup ? 'verified after writing' : 'not re-read (--no-verify)'}, ` +
            `took ${formatDuration(result.durationMs)}`,
        ],
      );
      await cleanupAfterBackup(ctx, cleanup, attempt.target);
      return ExitCode.ok;
    } finally {
      await lock.release();
      await engine.close();
    }
  },
};
