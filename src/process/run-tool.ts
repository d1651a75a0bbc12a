// Spawns a vendor tool with an argument array (never a shell) and watches how it ends.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Writable } from 'node:stream';
import { ExitCode, UserError } from '../errors.js';
import { ToolError, type ToolFailure } from './tool-error.js';

/** The spawn function, passed in so tests can replace it. */
export type Spawn = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ChildProcess;

/** The real spawn. */
export const systemSpawn: Spawn = (command, args, options) => nodeSpawn(command, args, options);

const stderrLimit = 64 * 1024;

/** A running tool: its process and a promise that settles when it has exited. */
export interface ToolRun {
  child: ChildProcess;
  /** Resolves on exit 0; rejects with a ToolError on any other ending or a spawn failure. */
  done: Promise<void>;
  /** The last 64 KiB of what the tool wrote to stderr so far. */
  stderr(): string;
}

/** Options of {@link startTool}. */
export interface StartToolOptions {
  spawn: Spawn;
  tool: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  stdin?: 'pipe' | 'ignore' | 'inherit' | number;
  stdout?: 'pipe' | 'ignore' | 'inherit' | number;
  /** Maps a failure to an error with an exit code and hint; default is a plain ToolError. */
  classify?: (failure: ToolFailure) => Error;
  /** Called with each stderr chunk, for tools that report progress there. */
  onStderr?: (text: string) => void;
}

/** Starts a tool; the caller wires its stdio and awaits `done`. */
export function startTool({
  spawn,
  tool,
  args,
  env,
  stdin = 'ignore',
  stdout = 'pipe',
  classify,
  onStderr,
}: StartToolOptions): ToolRun {
  const child = spawn(tool, args, { env, stdio: [stdin, stdout, 'pipe'] });
  let tail = '';

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    tail = (tail + text).slice(-stderrLimit);
    onStderr?.(text);
  });

  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(spawnError(tool, error));
    });
    child.once('close', (exitCode, signal) => {
      if (exitCode === 0) {
        resolve();
        return;
      }
      const failure = { tool, args, exitCode, signal, stderrTail: tail };
      reject(classify === undefined ? new ToolError(failure) : classify(failure));
    });
  });
  // The caller may attach its handler later; an early failure must not crash the process.
  done.catch(() => undefined);

  return { child, done, stderr: () => tail };
}

/** The tool's stdin, for runs started with `stdin: 'pipe'`. */
export function stdinOf(run: ToolRun): Writable {
  const stdin = run.child.stdin;
  if (stdin === null) throw new Error('tool was started without a stdin pipe');
  return stdin;
}

/** Runs a tool to completion and returns its stdout as text. */
export async function captureTool(
  options: Omit<StartToolOptions, 'stdout' | 'stdin'> & { input?: string },
): Promise<string> {
  const run = startTool({ ...options, stdin: options.input === undefined ? 'ignore' : 'pipe' });
  let out = '';
  run.child.stdout?.setEncoding('utf8');
  run.child.stdout?.on('data', (text: string) => (out += text));
  if (options.input !== undefined) run.child.stdin?.end(options.input);
  await run.done;
  return out;
}

function spawnError(tool: string, error: NodeJS.ErrnoException): Error {
  if (error.code === 'ENOENT') {
    return new UserError(`unable to run '${tool}': command not found`, {
      code: ExitCode.config,
      hint: `Install ${tool} (for example the Debian package that ships it) or add it to PATH.`,
      cause: error,
    });
  }
  return new UserError(`unable to run '${tool}': ${error.message}`, {
    code: ExitCode.failure,
    cause: error,
  });
}
