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
    const { startInteractive } = await import('../../tui/start.js');
    return startInteractive({
      terminal,
      effects: { env: ctx.env, clock: ctx.clock },
      flags,
      signal: ctx.signal,
    });
  },
};
