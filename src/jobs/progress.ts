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
