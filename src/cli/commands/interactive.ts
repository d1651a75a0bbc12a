// `dbbackup interactive` (also `menu`, `ui`): the terminal UI; it needs a terminal.
import { ExitCode, UserError } from '../../errors.js';
import type { CommandSpec } from '../command.js';
import type { FlagValue } from '../create-context.js';

/** The command. */
export const interactiveCommand: CommandSpec = {
  name: 'interactive',
  aliases: ['menu', 'ui'],
  description: 'the terminal UI: back up, restore, verify and browse from menus',
  args: [],
  usesServer: true,
  async run(ctx) {
    const terminal = ctx.terminal;
    if (terminal?.stdin.isTTY !== true || !terminal.stdout.isTTY) {
      throw new UserError('interactive needs a terminal (stdin and stdout are not a TTY)', {
        code: ExitCode.usage,
        hint: 'Run it in a terminal or over `ssh -t`; in scripts use the commands (`dbbackup --help`).',
      });
    }
    // The flags the UI was started with apply to every job it runs.
    const flags: Record<string, FlagValue> = {};
    for (const [key, source] of ctx.config.sources) {
      const value = ctx.config.values.get(key);
      if (source === 'flag' && value !== undefined && typeof value !== 'object') flags[key] = value;
      else if (source === 'flag' && Array.isArray(value)) flags[key] = value as readonly string[];
    }
    // Loaded only here: the other commands do not pay for React and Ink at startup.
    const { startInteractive } = await importWithoutCiFlag(() => import('../../tui/start.js'));
    return startInteractive({
      terminal,
      effects: { env: ctx.env, clock: ctx.clock },
      flags,
      signal: ctx.signal,
    });
  },
};

/**
 * Ink reads CI / CONTINUOUS_INTEGRATION once, when it is first imported, and then draws
 * nothing but the last frame. A person who asked for the UI on a terminal wants it drawn, even
 * in an environment that sets CI; the variables are hidden for the import only.
 */
async function importWithoutCiFlag<T>(load: () => Promise<T>): Promise<T> {
  const { CI, CONTINUOUS_INTEGRATION } = process.env;
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    return await load();
  } finally {
    if (CI !== undefined) process.env.CI = CI;
    if (CONTINUOUS_INTEGRATION !== undefined)
      process.env.CONTINUOUS_INTEGRATION = CONTINUOUS_INTEGRATION;
  }
}
