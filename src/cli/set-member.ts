// `restore single SET --database NAME`: finds one member of a set, reading only its own files.
import type { OptionValue } from '../config/load.js';
import { ExitCode, UserError } from '../errors.js';
import { locateMember, locateSet, resolveSetPath } from '../jobs/cluster/locate-set.js';
import type { LocatedBackup } from '../jobs/locate.js';
import { stringOption, type CommandContext } from './context.js';

/** The member named by --database when `path` is a set directory; undefined for a file. */
export async function locateInSet(
  ctx: CommandContext,
  path: string,
  backupDir: string,
): Promise<LocatedBackup | undefined> {
  if ((await resolveSetPath(path, backupDir)) === undefined) return undefined;
  const database = memberOption(ctx);
  if (database === undefined) {
    throw new UserError(`'${path}' is a backup set: name the database to restore`, {
      code: ExitCode.usage,
      hint: 'Pass --database NAME, or `restore cluster` to restore the whole set.',
    });
  }
  return locateMember(await locateSet(path, backupDir), database);
}

/**
 * The set member named on the command line. For a set, only a typed --database names a member:
 * a database from the environment, the config file or a URL is the maintenance database, as
 * everywhere else, and never picks a member by itself.
 */
export function memberOption(ctx: CommandContext): string | undefined {
  return ctx.config.sources.get('database') === 'flag' ? stringOption(ctx, 'database') : undefined;
}

/** The context for the engine of a set's command: the member's --database taken out. */
export function setEngineContext(ctx: CommandContext): CommandContext {
  return memberOption(ctx) === undefined ? ctx : withoutOption(ctx, 'database');
}

/** The same context without one option, as if it had not been given. */
export function withoutOption(ctx: CommandContext, key: string): CommandContext {
  const values = new Map<string, OptionValue>(ctx.config.values);
  values.delete(key);
  return { ...ctx, config: { ...ctx.config, values } };
}
