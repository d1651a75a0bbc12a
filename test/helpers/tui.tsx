// Helpers for terminal UI tests: scripted commands in place of the CLI's, a terminal of any
// size, keys, and waiting for a frame.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render as inkRender } from 'ink';
import type { ReactElement, ReactNode } from 'react';
import type { CommandContext } from '../../src/cli/context.js';
import type { CommandSpec } from '../../src/cli/command.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { App } from '../../src/tui/components/App.js';
import type { JobEffects } from '../../src/tui/job-runner.js';

/** Key sequences as a terminal sends them. */
export const keys = {
  enter: '\r',
  escape: '\x1b',
  up: '\x1b[A',
  down: '\x1b[B',
  tab: '\t',
  backspace: '\x7f',
  ctrlC: '\x03',
  ctrlR: '\x12',
  space: ' ',
} as const;

/** Waits a few event-loop turns so Ink handles the input and redraws. */
export const settle = (ms = 80) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `frame()` until it contains `text` (or matches), or fails showing the last frame. */
export async function waitForFrame(
  frame: () => string | undefined,
  text: string | RegExp | ((frame: string) => boolean),
  timeoutMs = 5000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = frame() ?? '';
    const found =
      typeof text === 'string'
        ? last.includes(text)
        : typeof text === 'function'
          ? text(last)
          : text.test(last);
    if (found) {
      // A screen that just opened listens for keys from its effects, a moment after drawing.
      await settle(40);
      return last;
    }
    await settle(15);
  }
  throw new Error(`timed out waiting for ${String(text)}; last frame:\n${last}`);
}

/** A command whose run is given in the test. */
export function fakeCommand(
  name: string,
  run: (ctx: CommandContext, args: readonly string[]) => Promise<number> | number,
): CommandSpec {
  return { name, description: name, args: [], usesServer: false, run: async (c, a) => run(c, a) };
}

/** A command that prints `data` as its result. */
export function resultCommand(
  name: string,
  data: (args: readonly string[], ctx: CommandContext) => Record<string, unknown>,
): CommandSpec {
  return fakeCommand(name, (ctx, args) => {
    ctx.output.result({ command: name, ...data(args, ctx) }, []);
    return ExitCode.ok;
  });
}

/** A command that fails as a user error. */
export function failingCommand(name: string, message: string, hint: string): CommandSpec {
  return fakeCommand(name, () => {
    throw new UserError(message, { code: ExitCode.unavailable, hint });
  });
}

/** A private home and config location, so a test never reads the machine's config file. */
export function testEnv(extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'dbbackup-tui-home-'));
  return {
    home,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      DBBACKUP_BACKUP_DIR: join(home, 'backups'),
      ...extra,
    },
  };
}

/** The effects of an App under test. */
export function effectsWith(commands: readonly CommandSpec[], env = testEnv()): JobEffects {
  return { env: env.env, home: env.home, commands };
}

/** The App with these commands, as `dbbackup interactive` starts it. */
export function appWith(effects: JobEffects, signal = new AbortController().signal): ReactElement {
  return <App effects={effects} flags={{}} signal={signal} />;
}

class FakeStdout extends EventEmitter {
  isTTY = true;
  last = '';
  writes = 0;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.last = frame;
    this.writes += 1;
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string) => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** A rendered tree in a terminal of a given size, keeping only the last frame. */
export interface Term {
  lastFrame: () => string;
  write: (data: string) => void;
  resize: (columns: number, rows: number) => void;
  /** How many frames were written. */
  writes: () => number;
  unmount: () => void;
}

/** Renders into a resizable fake terminal (ink-testing-library's is fixed at 100 columns). */
export function renderTerm(tree: ReactNode, columns = 100, rows = 40): Term {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new FakeStdout(columns, rows) as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    lastFrame: () => stdout.last,
    write: (data) => stdin.write(data),
    resize: (c, r) => {
      stdout.columns = c;
      stdout.rows = r;
      stdout.emit('resize');
    },
    writes: () => stdout.writes,
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}
