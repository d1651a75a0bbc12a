// What every command receives: resolved options and the effects it may use.
import type { Clock } from '../clock.js';
import type { ResolvedConfig, OptionValue } from '../config/load.js';
import { parseEngineType } from '../config/engine-type.js';
import { Secret } from '../config/secret.js';
import type { Connection, DumpEngine } from '../engines/engine.js';
import { createEngine } from '../engines/registry.js';
import type { SessionBudget } from '../engines/sessions.js';
import type { Output } from '../events/output.js';
import type { Spawn } from '../process/run-tool.js';
import { LocalTarget } from '../storage/local/local-target.js';

/** The effects and settings of one command run. */
export interface CommandContext {
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  spawn: Spawn;
  clock: Clock;
  output: Output;
  signal: AbortSignal;
  /** The user's terminal, given only to a run started from a shell (not from the UI). */
  terminal?: Terminal;
}

/** The streams of the user's terminal. */
export interface Terminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** Reads an option as a string. */
export function stringOption(ctx: CommandContext, key: string): string | undefined {
  const value: OptionValue | undefined = ctx.config.values.get(key);
  return value === undefined ? undefined : String(value instanceof Secret ? '' : value);
}

/** Reads an option as a number. */
export function numberOption(ctx: CommandContext, key: string): number | undefined {
  const value = ctx.config.values.get(key);
  return typeof value === 'number' ? value : undefined;
}

/** Reads a boolean option. */
export function flagOption(ctx: CommandContext, key: string): boolean {
  return ctx.config.values.get(key) === true;
}

/** The connection settings from the resolved options. */
export function connectionOf(ctx: CommandContext): Connection {
  const password = ctx.config.values.get('password');
  return {
    host: stringOption(ctx, 'host'),
    port: numberOption(ctx, 'port'),
    socket: stringOption(ctx, 'socket'),
    user: stringOption(ctx, 'user'),
    database: stringOption(ctx, 'database'),
    password: password instanceof Secret ? password : undefined,
  };
}

/** Builds the engine the options select; cluster runs pass their session budget. */
export function engineOf(ctx: CommandContext, sessions?: SessionBudget): DumpEngine {
  const choice = parseEngineType(stringOption(ctx, 'db-type') ?? 'postgres');
  return createEngine(choice.engine, {
    connection: connectionOf(ctx),
    spawn: ctx.spawn,
    env: ctx.env,
    settings: { definers: stringOption(ctx, 'definers') },
    sessions,
  });
}

/** The backup directory as a storage target. */
export function storageOf(ctx: CommandContext): LocalTarget {
  return new LocalTarget(stringOption(ctx, 'backup-dir') ?? '.');
}

/** Reads a list option (repeatable flag, comma list in the environment, array in the file). */
export function listOption(ctx: CommandContext, key: string): readonly string[] {
  const value = ctx.config.values.get(key);
  if (Array.isArray(value)) return value as readonly string[];
  return typeof value === 'string' ? [value] : [];
}

/** Reads a secret option. */
export function secretOption(ctx: CommandContext, key: string): Secret | undefined {
  const value = ctx.config.values.get(key);
  return value instanceof Secret ? value : undefined;
}
