// Wraps a spawn so that every child it started is stopped when the run is interrupted.
import type { ChildProcess } from 'node:child_process';
import type { Spawn } from './run-tool.js';

/**
 * Returns a spawn that remembers its running children and sends them SIGTERM when `signal`
 * aborts (Ctrl+C, SIGTERM from a scheduler). The jobs then see their tools fail and clean up
 * as after any failure: temporary files removed, created databases dropped.
 */
export function abortableSpawn(spawn: Spawn, signal: AbortSignal): Spawn {
  const running = new Set<ChildProcess>();
  signal.addEventListener(
    'abort',
    () => {
      for (const child of running) child.kill('SIGTERM');
    },
    { once: true },
  );

  return (command, args, options) => {
    const child = spawn(command, args, options);
    if (signal.aborted) child.kill('SIGTERM');
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.once('error', () => running.delete(child));
    return child;
  };
}
