import { describe, expect, it } from 'vitest';
import { runPool } from '../../src/jobs/cluster/pool.js';

/** A promise with its resolve, to settle work items when the test says so. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('runPool()', () => {
  it('starts items in order, never more than the limit holding a slot', async () => {
    const gates = [gate(), gate(), gate(), gate(), gate()];
    const started: number[] = [];
    let holding = 0;
    let most = 0;
    const pool = runPool([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      holding += 1;
      most = Math.max(most, holding);
      await gates[i]?.done;
      holding -= 1;
    });
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]?.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await pool;
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('gives the slot to the next item when an item releases it, and waits for every item', async () => {
    const tails = [gate(), gate(), gate()];
    const started: number[] = [];
    const finished: number[] = [];
    const pool = runPool([0, 1, 2], 1, async (i, release) => {
      started.push(i);
      release();
      release(); // a second call frees nothing more
      await tails[i]?.done;
      finished.push(i);
    });
    await tick();
    // Each item released at once: all three run their tails side by side.
    expect(started).toEqual([0, 1, 2]);
    let settled = false;
    void pool.then(() => (settled = true));
    tails[2]?.open();
    tails[0]?.open();
    await tick();
    expect(settled).toBe(false);
    tails[1]?.open();
    await pool;
    expect(finished.sort()).toEqual([0, 1, 2]);
  });

  it('does not over-free slots when releases are repeated', async () => {
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const pool = runPool([0, 1, 2], 1, async (i, release) => {
      started.push(i);
      if (i === 0) {
        release();
        release();
      }
      await gates[i]?.done;
    });
    await tick();
    // Item 0 released once (twice, counted once): item 1 runs, item 2 still waits.
    expect(started).toEqual([0, 1]);
    gates[1]?.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await pool;
  });

  it('runs one at a time when the limit is below 1', async () => {
    let holding = 0;
    let most = 0;
    await runPool([1, 2, 3], 0, async () => {
      holding += 1;
      most = Math.max(most, holding);
      await tick();
      holding -= 1;
    });
    expect(most).toBe(1);
  });
});
