// Folds the progress of the members of a set into set-wide events with an ETA from their sizes.
import type { Clock } from '../../clock.js';
import type { Emit, SetProgressEvent } from '../../events/events.js';

/** Options of {@link SetProgress}. */
export interface SetProgressOptions {
  emit: Emit;
  clock: Clock;
  phase: SetProgressEvent['phase'];
  /** Expected bytes of each database: its size (backup) or dump size (restore). */
  sizes: ReadonlyMap<string, number>;
}

/**
 * Tracks a set run. `memberEmit(db)` is the emit a member job gets: its own events pass
 * through, and each of its progress events also yields a `set-progress` event.
 */
export class SetProgress {
  readonly #options: SetProgressOptions;
  readonly #startedMs: number;
  readonly #moved = new Map<string, number>();
  readonly #finished = new Set<string>();
  #done = 0;
  #failed = 0;

  constructor(options: SetProgressOptions) {
    this.#options = options;
    this.#startedMs = options.clock.now().getTime();
  }

  /** The emit to give the job of one database. */
  memberEmit(database: string): Emit {
    return (event) => {
      this.#options.emit(event);
      if (event.kind === 'progress') {
        this.#moved.set(database, event.bytes);
        this.#report();
      }
    };
  }

  /** Records a member as finished (or kept); failed ones count apart. */
  finish(database: string, ok: boolean): void {
    if (this.#finished.has(database)) return;
    this.#finished.add(database);
    if (ok) this.#done += 1;
    else this.#failed += 1;
    this.#report();
  }

  #report(): void {
    const { sizes, clock, emit, phase } = this.#options;
    const totalBytes = [...sizes.values()].reduce((sum, n) => sum + n, 0);
    let share = 0;
    let bytes = 0;
    for (const [database, size] of sizes) {
      const moved = this.#moved.get(database) ?? 0;
      bytes += moved;
      share += this.#finished.has(database) ? size : Math.min(moved, size);
    }
    const elapsedMs = clock.now().getTime() - this.#startedMs;
    const fraction = totalBytes > 0 ? share / totalBytes : this.#finished.size / sizes.size;
    const etaMs = fraction > 0 && fraction < 1 ? (elapsedMs * (1 - fraction)) / fraction : null;
    emit({
      kind: 'set-progress',
      phase,
      done: this.#done,
      failed: this.#failed,
      total: sizes.size,
      bytes,
      totalBytes: totalBytes > 0 ? totalBytes : null,
      elapsedMs,
      etaMs,
    });
  }
}
