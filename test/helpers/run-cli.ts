// Runs the built CLI (bin/dbbackup.js) as a child process, as a user or a script would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the installed entry point. */
export const binPath = fileURLToPath(new URL('../../bin/dbbackup.js', import.meta.url));

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Replaces the environment instead of extending process.env. */
  replaceEnv?: boolean;
  cwd?: string;
  /** Called with the child's pid once it runs, e.g. to sample /proc or send signals. */
  onSpawn?: (pid: number) => void;
  timeoutMs?: number;
}

/** Runs `dbbackup ...args` and collects its output. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const env = options.replaceEnv === true ? options.env : { ...process.env, ...options.env };
  const child = spawn(process.execPath, [binPath, ...args], {
    env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Parses the `result` line of a `--json` run. */
export function jsonResult(result: CliResult): Record<string, unknown> {
  const line = result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.type === 'result');
  if (line === undefined) throw new Error(`no result line in: ${result.stdout}\n${result.stderr}`);
  return line;
}
