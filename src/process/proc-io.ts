// How many bytes a running process has read so far, from Linux's /proc/PID/io.
import { readFileSync } from 'node:fs';

/**
 * The `rchar` of a process: every byte its read calls returned, pipes included. Undefined when
 * /proc is not there, the process is gone, or it is not ours to look at.
 */
export function bytesReadBy(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^rchar:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}
