// What `backup single` does around the backup job: record it in the catalog, and with
// `--cleanup` apply the retention policy to that database after a success (never a failure).
import { journalPathOf } from '../catalog/journal.js';
import { groupOf } from '../catalog/verification.js';
import { runCleanup } from '../jobs/cleanup.js';
import type { Manifest } from '../manifest/manifest.js';
import type { RetentionPolicy } from '../plan/retention.js';
import { describePolicy, parsePolicy } from '../plan/retention-policy.js';
import type { StorageTarget } from '../storage/storage.js';
import { catalogPathFor, describeError, recordBackup, recordFailedBackup } from './catalog-hook.js';
import type { CommandContext } from './context.js';
import { flagOption, numberOption, stringOption } from './context.js';

/** The policy of `--cleanup`, read before the backup so a bad value fails fast; or undefined. */
export function cleanupPolicyOf(ctx: CommandContext): RetentionPolicy | undefined {
  if (!flagOption(ctx, 'cleanup')) return undefined;
  return parsePolicy({
    keepLast: numberOption(ctx, 'keep-last'),
    keepDays: numberOption(ctx, 'keep-days'),
    gfs: stringOption(ctx, 'gfs'),
  });
}

/** Where and what is being backed up. */
export interface BackupTarget {
  storage: StorageTarget;
  engine: string;
  database: string;
  /** The history `--cleanup` applies to, when not the database's (a server's sets). */
  group?: string;
  /** How that history is named in messages. */
  label?: string;
}

/** A backup being made: call `failed` with its error or `succeeded` with its manifest. */
export interface BackupAttempt {
  target: BackupTarget;
  /** Records the failure, then rethrows the error (use as a promise's `catch`). */
  failed: (error: unknown) => Promise<never>;
  /** Records the finished backup. */
  succeeded: (manifest: Manifest) => void;
}

/** Starts recording one backup attempt: its start time is now. */
export function beginBackup(ctx: CommandContext, target: BackupTarget): BackupAttempt {
  const startedAt = ctx.clock.now();
  const { storage, engine, database } = target;
  return {
    target,
    async failed(error) {
      await recordFailedBackup(ctx, storage.location, { engine, database, startedAt, error });
      throw error;
    },
    succeeded(manifest) {
      recordBackup(ctx, storage.location, manifest);
    },
  };
}

/**
 * Applies the policy to the database just backed up. The backup already succeeded, so a
 * failing cleanup is reported as a warning and does not change the exit code.
 */
export async function cleanupAfterBackup(
  ctx: CommandContext,
  policy: RetentionPolicy | undefined,
  { storage, engine, database, group, label }: BackupTarget,
): Promise<void> {
  if (policy === undefined) return;
  try {
    const result = await runCleanup({
      storage,
      catalogPath: catalogPathFor(ctx, storage.location),
      journalPath: journalPathOf(storage.location),
      policy,
      group: group ?? groupOf({ engine, database }),
      now: ctx.clock.now(),
      dryRun: false,
      emit: ctx.output.emit,
    });
    const kept = result.decisions.length - result.removed.length;
    ctx.output.emit({
      kind: 'step',
      text: `cleanup (${describePolicy(policy)}): deleted ${result.removed.length}, kept ${kept} of ${label ?? `'${database}'`}`,
    });
  } catch (error) {
    ctx.output.emit({
      kind: 'warning',
      text: `cleanup after the backup failed: ${describeError(error).message}`,
    });
    ctx.output.emit({
      kind: 'step',
      text: 'hint: The backup is complete; run `dbbackup cleanup --dry-run` to see why.',
    });
  }
}
