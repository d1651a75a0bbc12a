// `dbbackup restore single BACKUP`: plan and checks; with --confirm, the restore itself.
import { ExitCode } from '../../errors.js';
import { formatDuration } from '../../events/format.js';
import { locateBackup } from '../../jobs/locate.js';
import { firstFailure, planRestore, type RestorePlan } from '../../jobs/restore-plan.js';
import { executeRestore } from '../../jobs/restore-single.js';
import { syntheticManifest } from '../../jobs/synthetic-manifest.js';
import { isUserError } from '../../errors.js';
import { unlockerOf } from '../../jobs/unlock-backup.js';
import { beginRun, runSubjectOf } from '../catalog-hook.js';
import type { CommandSpec } from '../command.js';
import { locateInSet, setEngineContext } from '../set-member.js';
import { engineOf, flagOption, numberOption, stringOption } from '../context.js';
import { decryptionKeysOf } from '../keys.js';

/** The command. */
export const restoreSingleCommand: CommandSpec = {
  name: 'restore single',
  description: 'restore one database from a backup (plan only, unless --confirm)',
  args: [
    {
      name: 'backup',
      description: 'backup file or its .manifest.json, or a set directory with --database NAME',
      required: true,
    },
  ],
  usesServer: true,
  async run(ctx, [path = '']) {
    const backupDir = stringOption(ctx, 'backup-dir') ?? '.';
    const fromSet = await locateInSet(ctx, path, backupDir);
    const backup = fromSet ?? (await locateBackup(path, backupDir));
    // For a set, a typed --database names the member; the maintenance database stays as set.
    const engine = engineOf(fromSet === undefined ? ctx : setEngineContext(ctx));
    try {
      const hasManifest = backup.manifest !== undefined;
      const explicitTarget = stringOption(ctx, 'target');
      const manifest =
        backup.manifest ??
        (await syntheticManifest(backup, engine, explicitTarget, {
          spawn: ctx.spawn,
          env: ctx.env,
        }));
      const unlocker = unlockerOf(backup.dataName, manifest, await decryptionKeysOf(ctx));
      const options = {
        clean: flagOption(ctx, 'clean'),
        noOwner: flagOption(ctx, 'no-owner'),
        jobs: Math.max(1, numberOption(ctx, 'jobs') ?? 1),
      };
      const plan = await planRestore({
        backup,
        manifest,
        hasManifest,
        engine,
        target: explicitTarget ?? manifest.database,
        create: flagOption(ctx, 'create'),
        verify: flagOption(ctx, 'verify'),
        unlocker,
        ...options,
        staging: { jobs: options.jobs, workdir: stringOption(ctx, 'workdir') ?? backupDir },
      });

      if (!flagOption(ctx, 'confirm')) {
        const failure = firstFailure(plan);
        ctx.output.result(
          { command: 'restore single', ok: failure === undefined, executed: false, plan },
          [
            ...planLines(plan),
            ...(failure === undefined
              ? ['checks passed; run again with --confirm to restore']
              : [
                  'a check failed; the restore would not run',
                  ...(isUserError(failure) && failure.hint !== undefined
                    ? [`hint: ${failure.hint}`]
                    : []),
                ]),
          ],
        );
        return failure !== undefined && isUserError(failure) ? failure.code : ExitCode.ok;
      }

      const attempt = beginRun(ctx, runSubjectOf(backup, 'restore', 'restore', plan.target));
      const result = await executeRestore({
        plan,
        backup,
        manifest,
        engine,
        ...options,
        workdir: stringOption(ctx, 'workdir') ?? backupDir,
        spawn: ctx.spawn,
        env: ctx.env,
        emit: ctx.output.emit,
        clock: ctx.clock,
        unlocker,
      }).catch(attempt.failed);
      await attempt.succeeded();
      ctx.output.result({ command: 'restore single', ok: true, executed: true, plan, ...result }, [
        `restore of '${plan.database}' into '${result.target}' complete in ${formatDuration(result.durationMs)}`,
        result.tablesCompared > 0
          ? `  row counts of ${result.tablesCompared} table(s) match the backup`
          : '  no fingerprint to compare (the backup has no manifest or no tables)',
      ]);
      return ExitCode.ok;
    } finally {
      await engine.close();
    }
  },
};

function planLines(plan: RestorePlan): string[] {
  const failed = firstFailure(plan) !== undefined;
  return [
    `restore plan for ${plan.source}`,
    // With a failed check nothing runs: the actions are what would, once it passes.
    ...plan.actions.map((action) => `  ${failed ? 'would' : 'will'} ${action}`),
    'checks:',
    ...plan.checks.map((c) => `  [${c.ok ? ' ok ' : 'FAIL'}] ${c.name}: ${c.detail}`),
  ];
}
