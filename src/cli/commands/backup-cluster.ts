// `dbbackup backup cluster`: every database of the server plus the globals, as one set,
// recorded in the catalog whatever the outcome; `--cleanup` then applies to the server's sets.
import { availableParallelism } from 'node:os';
import { ExitCode, UserError } from '../../errors.js';
import { formatBytes, formatDuration } from '../../events/format.js';
import { SessionBudget } from '../../engines/sessions.js';
import { backupCluster } from '../../jobs/cluster/backup-cluster.js';
import type { SetManifest } from '../../manifest/set-manifest.js';
import { parseCompression } from '../../plan/compression.js';
import type { CommandSpec } from '../command.js';
import { engineOf, flagOption, numberOption, storageOf, stringOption } from '../context.js';
import type { CommandContext } from '../context.js';
import { setKinds } from '../../catalog/records.js';
import { groupOf } from '../../catalog/verification.js';
import { cleanupAfterBackup, cleanupPolicyOf } from '../backup-hooks.js';
import { recordFailedBackup, recordSet } from '../catalog-hook.js';
import { encryptionOf } from '../keys.js';
import { lockServer } from '../server-lock.js';

/** The command. */
export const backupClusterCommand: CommandSpec = {
  name: 'backup cluster',
  description: 'back up every database of the server and its roles, as one set',
  args: [],
  usesServer: true,
  async run(ctx) {
    const jobs = jobsOf(ctx);
    const compression = parseCompression(stringOption(ctx, 'compression') ?? 'auto');
    // Every member, the globals (which hold password hashes) included, is encrypted alike.
    const encryption = await encryptionOf(ctx);
    const cleanup = cleanupPolicyOf(ctx);
    // Each job holds one session (pg_dump), plus one for listing, globals and snapshots.
    const engine = engineOf(ctx, new SessionBudget(jobs + 1));
    const storage = storageOf(ctx);
    const started = ctx.clock.now();
    let host: string | undefined;
    // A run that fails before it wrote a set (server down, lock held) is recorded as a failure.
    const failed = async (error: unknown): Promise<never> => {
      const failure = { engine: engine.type, database: '', kind: setKinds.set, host, error };
      await recordFailedBackup(ctx, storage.location, { ...failure, startedAt: started });
      throw error;
    };
    try {
      // The server first, so a run that finds the lock held is recorded under its server.
      host = (await engine.probeServer().catch(failed)).host;
      const lock = await lockServer(ctx, engine, storage, 'backup cluster').catch(failed);
      try {
        const result = await backupCluster({
          engine,
          backupDir: storage.location,
          member: {
            compression,
            encryption,
            verify: flagOption(ctx, 'verify'),
            clock: ctx.clock,
            spawn: ctx.spawn,
            env: ctx.env,
            signal: ctx.signal,
          },
          jobs,
          exclude: listOf(ctx, 'exclude'),
          resume: flagOption(ctx, 'resume'),
          emit: ctx.output.emit,
        }).catch(failed);
        await recordSet(ctx, storage.location, result.name);
        if (result.bugs.length > 0) throw result.bugs[0];
        const durationMs = ctx.clock.now().getTime() - started.getTime();
        const { manifest } = result;
        ctx.output.result(
          {
            command: 'backup cluster',
            ok: manifest.status === 'complete',
            set: result.path,
            resumed: result.resumed,
            durationMs,
            ...manifest,
          },
          summaryLines(result.path, manifest, durationMs),
        );
        if (manifest.status !== 'complete') throw incompleteError(result.path, manifest);
        const setKey = { engine: engine.type, database: '', kind: setKinds.set, host };
        await cleanupAfterBackup(ctx, cleanup, {
          storage,
          engine: engine.type,
          database: '',
          group: groupOf(setKey),
          label: `the sets of ${host}`,
        });
        return ExitCode.ok;
      } finally {
        await lock.release();
      }
    } finally {
      await engine.close();
    }
  },
};

/** --jobs, or the CPU count when it was not given. */
export function jobsOf(ctx: CommandContext): number {
  const given = ctx.config.sources.get('jobs');
  const jobs = given === undefined || given === 'default' ? availableParallelism() : undefined;
  return Math.max(1, jobs ?? numberOption(ctx, 'jobs') ?? 1);
}

/** A repeatable option's values (a single value from the environment counts as one). */
export function listOf(ctx: CommandContext, key: string): string[] {
  const value = ctx.config.values.get(key) as unknown;
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' && value !== '' ? [value] : [];
}

function summaryLines(path: string, manifest: SetManifest, durationMs: number): string[] {
  const members = [manifest.globals, ...manifest.members];
  const stored = members.reduce((n, m) => n + (m.status === 'complete' ? m.sizes.stored : 0), 0);
  const ok = manifest.members.filter((m) => m.status === 'complete').length;
  const kept = members.filter((m) => m.status === 'complete' && m.kept).length;
  return [
    `cluster backup ${manifest.status}: ${path}`,
    `  ${ok}/${manifest.members.length} database(s) and ` +
      `${manifest.globals.status === 'complete' ? 'the globals' : 'no globals'}, ` +
      `${formatBytes(stored)} stored${kept > 0 ? `, ${kept} kept from the earlier run` : ''}, ` +
      `took ${formatDuration(durationMs)}`,
    ...members.flatMap((m) =>
      m.status === 'failed'
        ? [`  FAILED ${m.database === null ? 'globals' : `'${m.database}'`}: ${m.error.message}`]
        : [],
    ),
  ];
}

function incompleteError(path: string, manifest: SetManifest): UserError {
  const failed = [manifest.globals, ...manifest.members].filter((m) => m.status === 'failed');
  const codes = new Set(failed.map((m) => (m.status === 'failed' ? m.error.code : 1)));
  const [only] = codes;
  const lines = failed.map((m) =>
    m.status === 'failed'
      ? `${m.database === null ? 'globals' : `'${m.database}'`}: ${m.error.message}`
      : '',
  );
  return new UserError(
    `cluster backup is incomplete: ${failed.length} of ${manifest.members.length + 1} member(s) failed`,
    {
      code:
        codes.size === 1 && only !== undefined && only !== 0
          ? (only as ExitCodeOf)
          : ExitCode.failure,
      detail: lines.join('\n'),
      hint: `Fix the causes above, then run \`dbbackup backup cluster --resume\` to dump only what is missing into '${path}'.`,
    },
  );
}

type ExitCodeOf = UserError['code'];
