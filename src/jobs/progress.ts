// A byte counter that reports progress events for one phase of one database.
import type { Clock } from '../clock.js';
import type { Emit, ProgressEvent } from '../events/events.js';
import { CountStage } from '../pipeline/count.js';

/** Options of {@link progressCounter}. */
export interface ProgressCounterOptions {
  emit: Emit;
  clock: Clock;
  phase: ProgressEvent['phase'];
  database: string;
  totalBytes: number | null;
  /** When the phase started, in ms since the epoch. */
  startedMs: number;
}

/** A CountStage whose reports become `progress` events. */
export function progressCounter({
  emit,
  clock,
  phase,
  database,
  totalBytes,
  startedMs,
}: ProgressCounterOptions): CountStage {
  return new CountStage({
    onProgress: (bytes) => {
      emit({
        kind: 'progress',
        phase,
        database,
        bytes,
        totalBytes,
        elapsedMs: clock.now().getTime() - startedMs,
      });
    },
  });
}

/**
 * Reports, every half second, a byte count another process keeps (what zstd has read or
 * written so far); returns the function that stops it.
 */
export function pollProgress(count: CountStage, bytes: () => number | undefined): () => void {
  const ticker = setInterval(() => {
    const total = bytes();
    if (total !== undefined) count.report(total);
  }, 500);
  return () => clearInterval(ticker);
}
