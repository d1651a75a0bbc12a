// A bounded budget of server sessions shared by every connection and tool of one run.

/** Gives back a session taken from a {@link SessionBudget}; calling it twice is harmless. */
export type Release = () => void;

/**
 * Counts the sessions a run holds on the server. Every driver connection and every tool that
 * connects (pg_dump, pg_restore, psql…) takes one before it starts and gives it back when it
 * has ended, so a cluster run with N jobs and a budget of N+1 never holds more than N+1.
 * Waiters are served in arrival order.
 */
export class SessionBudget {
  readonly limit: number;
  #inUse = 0;
  #peak = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`invalid session limit ${limit}`);
    this.limit = limit;
  }

  /** Sessions held now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** The most sessions held at once so far. */
  get peak(): number {
    return this.#peak;
  }

  /** Waits for a free session and takes it. */
  async acquire(): Promise<Release> {
    if (this.#inUse >= this.limit || this.#waiting.length > 0) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#take();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#give();
    };
  }

  #take(): void {
    this.#inUse += 1;
    this.#peak = Math.max(this.#peak, this.#inUse);
  }

  #give(): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#inUse -= 1;
      return;
    }
    // The session passes straight to the next waiter: the count does not change.
    next();
  }
}

/** Takes a session from `budget` when there is one; without a budget there is no limit. */
export async function takeSession(budget: SessionBudget | undefined): Promise<Release> {
  return budget === undefined ? () => undefined : budget.acquire();
}

/** Holds `count` sessions (at most the whole budget) for as long as `work` runs. */
export async function withSessions<T>(
  budget: SessionBudget | undefined,
  count: number,
  work: () => Promise<T>,
): Promise<T> {
  const releases: Release[] = [];
  try {
    const wanted = budget === undefined ? 0 : Math.min(count, budget.limit);
    for (let i = 0; i < wanted; i += 1) releases.push(await takeSession(budget));
    return await work();
  } finally {
    for (const release of releases) release();
  }
}
