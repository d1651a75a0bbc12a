// Starts the terminal UI on the user's terminal and resolves with the exit code when it quits.
import { render } from 'ink';
import type { FlagValue } from '../cli/create-context.js';
import type { Terminal } from '../cli/context.js';
import { ExitCode } from '../errors.js';
import { App } from './components/App.js';
import { uiCommands } from './commands.js';
import type { JobEffects } from './job-runner.js';

/** Inputs of {@link startInteractive}. */
export interface StartInput {
  terminal: Terminal;
  effects: Omit<JobEffects, 'commands'>;
  flags: Readonly<Record<string, FlagValue>>;
  signal: AbortSignal;
}

/** Renders the UI until the user quits or the process is told to stop. */
export async function startInteractive({ terminal, effects, flags, signal }: StartInput) {
  // A terminal that hung up (SSH dropped) fails every write with EIO: SIGHUP is already
  // cancelling the job, whose cleanup must not die on a redraw nobody can see.
  terminal.stdout.on('error', ignoreHangup);
  terminal.stdin.on('error', ignoreHangup);
  // The alternate screen, as full-screen programs use: the shell's screen comes back on exit.
  terminal.stdout.write('\x1b[?1049h');
  const instance = render(
    <App effects={{ ...effects, commands: uiCommands }} flags={flags} signal={signal} />,
    {
      stdin: terminal.stdin,
      stdout: terminal.stdout,
      // Ctrl+C is a key here: a run asks before cancelling; SIGTERM still stops everything.
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 20,
    },
  );
  const onAbort = () => instance.unmount();
  signal.addEventListener('abort', onAbort);
  try {
    await instance.waitUntilExit();
  } finally {
    signal.removeEventListener('abort', onAbort);
    terminal.stdout.write('\x1b[?1049l');
  }
  return signal.aborted ? ExitCode.interrupted : ExitCode.ok;
}

function ignoreHangup(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EIO' && error.code !== 'EPIPE' && error.code !== 'ENXIO') throw error;
}
