// Runs work items N at a time; one failing item never stops the others.

/**
 * Runs `work` on every item in order, at most `limit` holding a slot at once; `work` must
 * catch its own errors. An item holds its slot until it settles or calls `release`: a backup
 * gives its slot to the next database once its dump is written, and its re-reading and
 * publishing (no server session, little CPU) overlap the next dump.
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, release: () => void) => Promise<void>,
): Promise<void> {
  let free = Math.max(1, limit);
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const give = () => {
    const next = waiting.shift();
    if (next === undefined) free += 1;
    else next();
  };

  const running: Promise<void>[] = [];
  for (const item of items) {
    await acquire();
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      give();
    };
    const done = work(item, release).finally(release);
    // Awaited below with the rest; until then a failure (a bug: work catches its own) must not
    // count as unhandled while the loop waits for a slot.
    done.catch(() => undefined);
    running.push(done);
  }
  await Promise.all(running);
}
