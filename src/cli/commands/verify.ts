// `dbbackup verify BACKUP [--quick | --deep]`: checksum, a full structural read, or a restore.
import { formatDuration } from '../../events/format.js';
import { ExitCode } from '../../errors.js';
import { locateBackup, type LocatedBackup } from '../../jobs/locate.js';
import { missingKeyError, unlockerOf, type BackupUnlocker } from '../../jobs/unlock-backup.js';
import { restoreAndCompare, type DeepVerifyReport } from '../../jobs/verify-deep.js';
import { requireManifest, verifyBackup, type VerifyResult } from '../../jobs/verify-backup.js';
import { isEncrypted } from '../../manifest/manifest.js';
import { beginRun, runSubjectOf } from '../catalog-hook.js';
import type { CommandSpec } from '../command.js';
import { engineOf, flagOption, stringOption, type CommandContext } from '../context.js';
import { openDeepTarget } from '../deep-target.js';
import { createEngine } from '../../engines/registry.js';
import { decryptionKeysOf } from '../keys.js';
import { verifySetCommand } from '../verify-set.js';
import { resolveSetPath } from '../../jobs/cluster/locate-set.js';

/** The command. */
export const verifyCommand: CommandSpec = {
  name: 'verify',
  description: 'check that a backup is intact and complete',
  args: [
    {
      name: 'backup',
      description:
        'backup file or its .manifest.json, or a set directory (--database NAME: one member)',
      required: true,
    },
  ],
  usesServer: true,
  async run(ctx, [path = '']) {
    const backupDir = stringOption(ctx, 'backup-dir') ?? '.';
    if ((await resolveSetPath(path, backupDir)) !== undefined) {
      return verifySetCommand(ctx, path, backupDir);
    }
    const backup = await locateBackup(path, backupDir);
    // The engine that reads the dump is the one that wrote it, whatever --db-type says.
    const configured = engineOf(ctx);
    const engine =
      backup.manifest === undefined || backup.manifest.engine === configured.type
        ? configured
        : createEngine(backup.manifest.engine, { connection: {}, spawn: ctx.spawn, env: ctx.env });
    const deep = flagOption(ctx, 'deep');
    const depth = deep ? 'restore' : flagOption(ctx, 'quick') ? 'quick' : 'full';
    const manifest = requireManifest(backup);
    const unlocker = unlockerOf(backup.dataName, manifest, await decryptionKeysOf(ctx));
    const attempt = beginRun(ctx, runSubjectOf(backup, 'verify', depth));
    const result = await verifyBackup({
      backup,
      engine,
      quick: flagOption(ctx, 'quick') || deep,
      spawn: ctx.spawn,
      env: ctx.env,
      emit: ctx.output.emit,
      clock: ctx.clock,
      unlocker,
    })
      .then(async (checked) => ({
        checked,
        deep: deep ? await verifyDeep(ctx, backup, unlocker) : null,
      }))
      .catch(attempt.failed);
    // Without the key only size and checksum were checked: the catalog must not call it deep.
    await attempt.succeeded(result.checked.notChecked.length > 0 ? 'quick' : undefined);
    printResult(ctx, result.checked, result.deep);
    return ExitCode.ok;
  },
};

async function verifyDeep(
  ctx: CommandContext,
  backup: LocatedBackup,
  unlocker: BackupUnlocker | undefined,
): Promise<DeepVerifyReport> {
  const manifest = requireManifest(backup);
  // The restore needs the data itself: without the key there is nothing to restore.
  if (isEncrypted(manifest) && unlocker === undefined) {
    throw missingKeyError(backup.dataName, manifest.encryption);
  }
  if (unlocker !== undefined) await unlocker.check(backup.storage);
  const target = await openDeepTarget(ctx, manifest);
  try {
    return await restoreAndCompare({
      backup,
      manifest,
      engine: target.engine,
      where: target.where,
      noOwner: target.noOwner,
      workdir: stringOption(ctx, 'workdir') ?? backup.storage.location,
      unlocker,
      spawn: ctx.spawn,
      env: ctx.env,
      emit: ctx.output.emit,
      clock: ctx.clock,
    });
  } finally {
    await target.close();
  }
}

function printResult(ctx: CommandContext, result: VerifyResult, deep: DeepVerifyReport | null) {
  const lines = [
    result.notChecked.length > 0
      ? `backup ${result.file} of '${result.database}': size and checksum are intact`
      : `backup ${result.file} of '${result.database}' is intact`,
    ...result.checks.map((check) => `  ok ${check}`),
    ...result.notChecked.map((note) => `  not checked: ${note}`),
  ];
  if (deep !== null) {
    lines.push(
      `  ok restored into throwaway '${deep.database}' on ${deep.where} in ` +
        `${(deep.restoreMs / 1000).toFixed(1)} s (${formatDuration(deep.restoreMs)}), then dropped it`,
      `  ok row counts of ${deep.tables.length} table(s) match the manifest:`,
      ...deep.tables.map((t) => `       ${t.table}: ${t.restored ?? 0} rows`),
    );
  }
  ctx.output.result({ command: 'verify', ok: true, ...result, deep }, lines);
}
