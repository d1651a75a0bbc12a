// The shape of one CLI command; main.ts derives the parser from these.
import type { CommandContext } from './context.js';

/** A positional argument. */
export interface ArgumentSpec {
  name: string;
  description: string;
  required: boolean;
}

/** One command: its words, its arguments, and what it does. */
export interface CommandSpec {
  /** The command words, e.g. 'backup single'. */
  name: string;
  description: string;
  /** Other names for the last word (`interactive` is also `menu` and `ui`). */
  aliases?: readonly string[];
  args: readonly ArgumentSpec[];
  /** Whether it talks to a database server (and so takes the connection options). */
  usesServer: boolean;
  /** Runs the command and returns the exit code. */
  run(ctx: CommandContext, args: readonly string[]): Promise<number>;
}
