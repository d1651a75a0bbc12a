// Dumps the server-wide objects with pg_dumpall --globals-only, without passwords if it must.
import type { Readable } from 'node:stream';
import { startTool } from '../../process/run-tool.js';
import type { EngineDeps, GlobalsRun } from '../engine.js';
import { takeSession } from '../sessions.js';
import { childEnv, connectionArgs, dbnameConninfo } from './conninfo.js';
import { classifyToolFailure } from './errors.js';

/** Options of {@link startPgDumpall}. */
export interface StartPgDumpallOptions extends EngineDeps {
  maintenanceDb: string;
  toolVersion: string;
  /** Whether the account may read pg_authid, where the password hashes are. */
  canReadPasswords: boolean;
  /** The account, as shown in the warning. */
  account: string;
}

/**
 * Runs `pg_dumpall --globals-only`: roles with their attributes, passwords and settings, role
 * memberships and tablespaces. An account that cannot read pg_authid (managed services) gets
 * `--no-role-passwords` and a warning, instead of a failed backup.
 */
export async function startPgDumpall(options: StartPgDumpallOptions): Promise<GlobalsRun> {
  const { connection, spawn, env, sessions, canReadPasswords } = options;
  const warnings: string[] = [];
  const args = ['--globals-only', '--no-password', ...connectionArgs(connection)];
  args.push(`--dbname=${dbnameConninfo(options.maintenanceDb)}`);
  if (!canReadPasswords) {
    args.push('--no-role-passwords');
    warnings.push(
      `role '${options.account}' cannot read pg_authid: role passwords are not in this backup; ` +
        'set them again after a restore',
    );
  }

  const release = await takeSession(sessions);
  const run = startTool({
    spawn,
    tool: 'pg_dumpall',
    args,
    env: childEnv(connection, env),
    classify: classifyToolFailure,
  });
  const done = run.done.finally(release).then(() => ({
    tool: { name: 'pg_dumpall', version: options.toolVersion },
    passwords: canReadPasswords,
    warnings,
  }));
  done.catch(() => undefined);
  return {
    stream: run.child.stdout as Readable,
    done,
    cancel: () => run.child.kill('SIGTERM'),
  };
}
