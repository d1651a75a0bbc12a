// `dbbackup restore cluster SET`: plan and checks; with --confirm, globals then every database.
import { ExitCode, UserError, isUserError } from '../../errors.js';
import { formatDuration } from '../../events/format.js';
import { SessionBudget } from '../../engines/sessions.js';
import { locateSet } from '../../jobs/cluster/locate-set.js';
import {
  executeClusterRestore,
  type ClusterRestoreResult,
} from '../../jobs/cluster/restore-cluster.js';
import {
  firstClusterFailure,
  planClusterRestore,
  type ClusterRestorePlan,
} from '../../jobs/cluster/restore-cluster-plan.js';
import { RestoreJournal } from '../../jobs/cluster/restore-journal.js';
import type { CommandSpec } from '../command.js';
import { engineOf, flagOption, stringOption, type CommandContext } from '../context.js';
import { catalogHomeOf, recordRun } from '../catalog-hook.js';
import { decryptionKeysOf } from '../keys.js';
import { jobsOf } from './backup-cluster.js';

/** The command. */
export const restoreClusterCommand: CommandSpec = {
  name: 'restore cluster',
  description: 'restore a whole set: globals, then its databases (plan only, unless --confirm)',
  args: [
    {
      name: 'set',
      description: 'set directory (cluster_…) or its set.manifest.json',
      required: true,
    },
  ],
  usesServer: true,
  async run(ctx, [path = '']) {
    const backupDir = stringOption(ctx, 'backup-dir') ?? '.';
    const set = await locateSet(path, backupDir);
    const keys = await decryptionKeysOf(ctx);
    const jobs = jobsOf(ctx);
    const engine = engineOf(ctx, new SessionBudget(jobs + 1));
    try {
      const server = await engine.probeServer();
      const journal = await RestoreJournal.open(set.path, server.host);
      const only = stringOption(ctx, 'databases')
        ?.split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      const plan = await planClusterRestore({
        set,
        engine,
        journal,
        only,
        cleanCluster: flagOption(ctx, 'clean-cluster'),
        verify: flagOption(ctx, 'verify'),
        keys,
      });

      if (!flagOption(ctx, 'confirm')) {
        const failure = firstClusterFailure(plan);
        ctx.output.result(
          {
            command: 'restore cluster',
            ok: failure === undefined,
            executed: false,
            plan: shown(plan),
          },
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

      const startedAt = ctx.clock.now();
      const result = await executeClusterRestore({
        plan,
        engine,
        journal,
        jobs,
        workdir: stringOption(ctx, 'workdir') ?? backupDir,
        spawn: ctx.spawn,
        env: ctx.env,
        emit: ctx.output.emit,
        clock: ctx.clock,
      });
      await recordMemberRuns(ctx, plan, result, startedAt);
      if (result.bugs.length > 0) throw result.bugs[0];
      const ok = result.failed.length === 0;
      ctx.output.result(
        {
          command: 'restore cluster',
          ok,
          executed: true,
          plan: shown(plan),
          ...result,
          bugs: undefined,
        },
        [
          `restore of set ${set.name} ${ok ? 'complete' : 'incomplete'} in ${formatDuration(result.durationMs)}`,
          `  ${result.restored.length} database(s) restored and compared` +
            (result.skipped.length > 0 ? `, ${result.skipped.length} already restored before` : ''),
          ...result.failed.map((f) => `  FAILED '${f.database}': ${f.message}`),
        ],
      );
      if (!ok) {
        const codes = new Set(result.failed.map((f) => f.code));
        const [only1] = codes;
        throw new UserError(
          `cluster restore is incomplete: ${result.failed.length} of ${plan.members.length} database(s) failed`,
          {
            code:
              codes.size === 1 && only1 !== undefined
                ? (only1 as UserError['code'])
                : ExitCode.failure,
            detail: result.failed.map((f) => `'${f.database}': ${f.message}`).join('\n'),
            hint: 'Fix the causes above and run the same command again: restored databases are kept, failed ones are redone.',
          },
        );
      }
      return ExitCode.ok;
    } finally {
      await engine.close();
    }
  },
};

// Each database restored (or not) is a restore run against its member file, as with restore single.
async function recordMemberRuns(
  ctx: CommandContext,
  plan: ClusterRestorePlan,
  result: ClusterRestoreResult,
  startedAt: Date,
): Promise<void> {
  for (const member of plan.members) {
    const failure = result.failed.find((f) => f.database === member.database);
    if (failure === undefined && !result.restored.includes(member.database)) continue;
    const error =
      failure === undefined
        ? undefined
        : new UserError(failure.message, { code: failure.code as UserError['code'] });
    const { directory, file } = catalogHomeOf(member.backup);
    await recordRun(ctx, directory, {
      file,
      action: 'restore',
      depth: 'restore',
      startedAt,
      target: member.database,
      error,
    });
  }
}

function shown(plan: ClusterRestorePlan) {
  return {
    set: plan.set,
    actions: plan.actions,
    databases: plan.members.map((m) => ({
      database: m.database,
      action: m.action,
      file: m.backup.dataPath,
    })),
    checks: plan.checks.map(({ name, ok, detail, warning }) => ({ name, ok, detail, warning })),
  };
}

function planLines(plan: ClusterRestorePlan): string[] {
  const failed = firstClusterFailure(plan) !== undefined;
  return [
    `cluster restore plan for ${plan.set}`,
    // With a failed check nothing runs: the actions are what would, once it passes.
    ...plan.actions.map((action) => `  ${failed ? 'would' : 'will'} ${action}`),
    'checks:',
    ...plan.checks.map((c) => `  [${c.ok ? ' ok ' : 'FAIL'}] ${c.name}: ${c.detail}`),
  ];
}
