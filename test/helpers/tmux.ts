// Drives a program in a real pseudo-terminal through tmux: keys in, screen text out.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Options of {@link TmuxSession.start}. */
export interface TmuxStart {
  /** The program and its arguments, run without a shell. */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  columns: number;
  rows: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One tmux server on its own socket (-L), holding one session; always `kill` it. */
export class TmuxSession {
  private socketPath: string | undefined;

  private constructor(
    private readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts the program; after it exits the pane shows `[exit N]` and stays for capture. */
  static async start({ argv, env, columns, rows }: TmuxStart): Promise<TmuxSession> {
    const socket = `dbbackup-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
    const session = new TmuxSession(socket, env);
    const quoted = argv.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
    await session.tmux([
      'new-session',
      '-d',
      '-s',
      'e2e',
      '-x',
      String(columns),
      '-y',
      String(rows),
      `${quoted}; echo "[exit $?]"; sleep 3600`,
    ]);
    session.socketPath = (await session.tmux(['display-message', '-p', '#{socket_path}'])).trim();
    return session;
  }

  /** Runs a tmux command on this session's server. */
  async tmux(args: readonly string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, ...args], { env: this.env });
    return stdout;
  }

  /** The visible screen as text. */
  capture(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-t', 'e2e']);
  }

  /** Sends keys by tmux name (`Enter`, `Escape`, `C-c`, `BSpace`), one at a time. */
  async keys(...names: string[]): Promise<void> {
    for (const name of names) {
      await this.tmux(['send-keys', '-t', 'e2e', name]);
      await pause(60);
    }
  }

  /** Types text literally, a character at a time as a person would. */
  async type(text: string): Promise<void> {
    for (const char of text) {
      await this.tmux(['send-keys', '-t', 'e2e', '-l', char]);
      await pause(15);
    }
  }

  /** Polls the screen until `pattern` shows, or fails with the last screen after `timeoutMs`. */
  async waitFor(pattern: RegExp | string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.capture();
      const found = typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen);
      if (found) return screen;
      await pause(150);
    }
    throw new Error(`timed out waiting for ${String(pattern)}; the screen was:\n${screen}`);
  }

  /** Resizes the terminal, as a user dragging the window would. */
  async resize(columns: number, rows: number): Promise<void> {
    await this.tmux(['resize-window', '-t', 'e2e', '-x', String(columns), '-y', String(rows)]);
  }

  /** Stops the server and everything in it, and removes its socket file; never fails. */
  async kill(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
    if (this.socketPath !== undefined) await rm(this.socketPath, { force: true });
  }
}
