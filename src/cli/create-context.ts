// Builds the context of one command run from typed flags: the CLI and the terminal UI share it.
import { systemClock, type Clock } from '../clock.js';
import { loadConfig, type ResolvedConfig } from '../config/load.js';
import { Secret } from '../config/secret.js';
import type { Output } from '../events/output.js';
import { abortableSpawn } from '../process/abortable-spawn.js';
import { systemSpawn, type Spawn } from '../process/run-tool.js';
import type { CommandContext, Terminal } from './context.js';

/** A value typed on the command line; a repeated `list` flag collects its values. */
export type FlagValue = string | number | boolean | readonly string[];

/** Inputs of {@link createContext}. */
export interface CreateContextInput {
  flags: Readonly<Record<string, FlagValue>>;
  env: NodeJS.ProcessEnv;
  home?: string;
  spawn?: Spawn;
  clock?: Clock;
  /** Aborting it stops the run: every child process is killed, temp files are removed. */
  signal: AbortSignal;
  /** Builds the output once the options (`--json`, `--quiet`) are known. */
  outputFor: (config: ResolvedConfig) => Output;
  terminal?: Terminal;
}

/** Loads the options and wires the effects of one run; `secrets` are redacted from errors. */
export async function createContext(input: CreateContextInput): Promise<{
  ctx: CommandContext;
  secrets: (Secret | undefined)[];
}> {
  const { env, signal } = input;
  const config = await loadConfig({ flags: input.flags, env, home: input.home });
  const secrets = ['password', 'passphrase', 'url'].map((key) => {
    const value = config.values.get(key);
    return value instanceof Secret ? value : undefined;
  });
  const ctx: CommandContext = {
    config,
    env,
    spawn: abortableSpawn(input.spawn ?? systemSpawn, signal),
    clock: input.clock ?? systemClock,
    output: input.outputFor(config),
    signal,
    terminal: input.terminal,
  };
  return { ctx, secrets };
}
