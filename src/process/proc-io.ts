// How many bytes a running process has read or written so far, from Linux's /proc/PID/io.
import { readFileSync } from 'node:fs';

/**
 * The `rchar` of a process: every byte its read calls returned, pipes included. Undefined when
 * /proc is not there, the process is gone, or it is not ours to look at.
 */
export function bytesReadBy(pid: number | undefined): number | undefined {
  return ioCounter(pid, 'rchar');
}

/** The `wchar` of a process: every byte its write calls took, as {@link bytesReadBy}. */
export function bytesWrittenBy(pid: number | undefined): number | undefined {
  return ioCounter(pid, 'wchar');
}

function ioCounter(pid: number | undefined, field: 'rchar' | 'wchar'): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const match = new RegExp(`^${field}:\\s*(\\d+)$`, 'm').exec(text);
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}
