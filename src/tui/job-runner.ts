// Runs one CLI command for the terminal UI: same options, same code, events sent to the screen.
import type { Clock } from '../clock.js';
import { redact, type Secret } from '../config/secret.js';
import type { CommandSpec } from '../cli/command.js';
import { allCommands } from '../cli/commands/all.js';
import { createContext, type FlagValue } from '../cli/create-context.js';
import { ExitCode, isUserError } from '../errors.js';
import type { Emit } from '../events/events.js';
import type { Output } from '../events/output.js';
import type { Spawn } from '../process/run-tool.js';

/** A command to run: its words (`backup single`), positional arguments and flags. */
export interface JobRequest {
  command: string;
  args: readonly string[];
  flags: Readonly<Record<string, FlagValue>>;
}

/** How a command ended: its exit code, its JSON result, or the error it stopped with. */
export type JobOutcome =
  | { status: 'ok'; code: number; data: Record<string, unknown> }
  | {
      status: 'failed' | 'cancelled';
      code: number;
      message: string;
      hint?: string;
      detail?: string;
      /** The result, when the command printed one before failing (a plan with a failed check). */
      data?: Record<string, unknown>;
    };

/** The effects the UI runs commands with; tests pass fakes. */
export interface JobEffects {
  env: NodeJS.ProcessEnv;
  home?: string;
  spawn?: Spawn;
  clock?: Clock;
  /** Commands to look names up in (all of the CLI's by default). */
  commands?: readonly CommandSpec[];
}

/** Inputs of {@link runJob}. */
export interface RunJobInput {
  effects: JobEffects;
  request: JobRequest;
  emit: Emit;
  /** Aborting it cancels the run exactly as SIGINT cancels the CLI. */
  signal: AbortSignal;
}

/** Runs the command and reports how it ended; never throws. */
export async function runJob({ effects, request, emit, signal }: RunJobInput): Promise<JobOutcome> {
  const spec = (effects.commands ?? allCommands).find((c) => c.name === request.command);
  if (spec === undefined) {
    return { status: 'failed', code: ExitCode.usage, message: `no command '${request.command}'` };
  }

  let data: Record<string, unknown> | undefined;
  const output: Output = {
    mode: 'text',
    emit,
    result: (value) => (data = value as Record<string, unknown>),
    flush: () => undefined,
  };
  let secrets: (Secret | undefined)[] = [];
  try {
    const made = await createContext({
      flags: request.flags,
      env: effects.env,
      home: effects.home,
      spawn: effects.spawn,
      clock: effects.clock,
      signal,
      outputFor: () => output,
    });
    secrets = made.secrets;
    const code = await spec.run(made.ctx, request.args);
    if (code === ExitCode.ok && data !== undefined) return { status: 'ok', code, data };
    return { status: 'failed', code, message: failureOf(data), data };
  } catch (error) {
    return describeFailure(error, signal, secrets, data);
  }
}

function failureOf(data: Record<string, unknown> | undefined): string {
  if (data === undefined) return 'the command printed no result';
  return 'a check failed';
}

function describeFailure(
  error: unknown,
  signal: AbortSignal,
  secrets: readonly (Secret | undefined)[],
  data: Record<string, unknown> | undefined,
): JobOutcome {
  const clean = (text: string) => redact(text, secrets);
  if (signal.aborted) {
    return {
      status: 'cancelled',
      code: ExitCode.interrupted,
      message: 'cancelled; child processes were stopped and temporary files removed',
    };
  }
  if (isUserError(error)) {
    return {
      status: 'failed',
      code: error.code,
      message: clean(error.message),
      hint: error.hint === undefined ? undefined : clean(error.hint),
      detail: error.detail === undefined ? undefined : clean(error.detail),
      data,
    };
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    status: 'failed',
    code: ExitCode.failure,
    message: `internal error: ${clean(stack.split('\n')[0] ?? '')}`,
    hint: 'This is a bug in dbbackup; run the same job from the command line to get a report.',
    detail: clean(stack),
    data,
  };
}
