// Long runs stay bounded: a million progress events leave the heap flat, the log pane keeps
// its newest lines, and the screen redraws a few times a second, not once per event.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { RunScreen } from '../../../src/tui/components/RunScreen.js';
import { Ring } from '../../../src/tui/ring.js';
import { RunStore } from '../../../src/tui/run-store.js';
import { SessionContext, type Session } from '../../../src/tui/session.js';
import { ExitCode } from '../../../src/errors.js';
import {
  fakeCommand,
  keys,
  renderTerm,
  testEnv,
  waitForFrame,
  type Term,
} from '../../helpers/tui.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const MiB = 1024 * 1024;
let term: Term | undefined;
afterEach(() => term?.unmount());

describe('Ring', () => {
  it('keeps the newest items and counts the dropped ones', () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 5; i += 1) ring.push(i);
    expect(ring.last()).toEqual([3, 4, 5]);
    expect(ring.last(2)).toEqual([4, 5]);
    expect(ring.dropped).toBe(2);
    expect(ring.size).toBe(3);
  });
});

describe('RunStore', () => {
  it('holds a million progress events and ten thousand log lines in a few MB', () => {
    const store = new RunStore();
    const feed = (from: number, to: number) => {
      for (let i = from; i < to; i += 1) {
        store.apply({
          kind: 'progress',
          phase: 'restore',
          database: `db${i % 8}`,
          bytes: i * 4096,
          totalBytes: 4096 * 1_000_000,
          elapsedMs: i,
        });
        if (i % 100 === 0) store.apply({ kind: 'step', text: `step ${i} of a long restore` });
      }
    };
    feed(0, 20_000);
    const before = heapAfterGc();
    feed(20_000, 1_000_000);
    const growth = heapAfterGc() - before;

    console.log(`heap growth over a million events in the store: ${(growth / MiB).toFixed(2)} MiB`);
    expect(growth).toBeLessThan(3 * MiB);
    const snapshot = store.snapshot();
    expect(snapshot.events).toBe(1_010_000);
    expect(snapshot.log).toHaveLength(200);
    expect(snapshot.log.at(-1)?.text).toBe('step 999900 of a long restore');
    expect(snapshot.droppedLines).toBe(10_000 - 200);
    expect(snapshot.databases.map((d) => d.name)).toEqual([
      'db0',
      'db1',
      'db2',
      'db3',
      'db4',
      'db5',
      'db6',
      'db7',
    ]);
  });

  it('keeps at most its limit of databases, making room from the finished ones', () => {
    const store = new RunStore({ databases: 3 });
    for (const name of ['a', 'b', 'c', 'd']) {
      store.apply({ kind: 'member', phase: 'backup', database: name, status: 'started' });
      if (name === 'b')
        store.apply({ kind: 'member', phase: 'backup', database: name, status: 'complete' });
    }
    expect(store.snapshot().databases.map((d) => d.name)).toEqual(['a', 'c', 'd']);
  });
});

describe('RunScreen under a flood of events', () => {
  it('keeps the heap flat and redraws far less often than events arrive', async () => {
    const total = 1_000_000;
    let sent = 0;
    let start: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      start = resolve;
    });
    const flood = fakeCommand('restore single', async (ctx) => {
      ctx.output.emit({ kind: 'step', text: 'waiting for the start' });
      await started;
      while (sent < total) {
        // A real pipeline yields between chunks; so does this one, every 5000 events.
        for (let i = 0; i < 5000; i += 1, sent += 1) {
          ctx.output.emit({
            kind: 'progress',
            phase: 'restore',
            database: 'big',
            bytes: sent * 65_536,
            totalBytes: total * 65_536,
            elapsedMs: sent,
          });
          if (sent % 1000 === 0) ctx.output.emit({ kind: 'step', text: `chunk ${sent}` });
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      ctx.output.result({ command: 'restore single', ok: true, target: 'big', durationMs: 1 }, []);
      return ExitCode.ok;
    });
    const { env, home } = testEnv();
    const session: Session = {
      effects: { env, home, commands: [flood] },
      flags: {},
      signal: new AbortController().signal,
    };
    const tree = (
      <SessionContext.Provider value={session}>
        <RunScreen
          title="Restore 'big'"
          request={{ command: 'restore single', args: [], flags: {} }}
          onDone={() => undefined}
          width={100}
          height={30}
        />
      </SessionContext.Provider>
    );

    term = renderTerm(tree, 100, 30);
    await waitForFrame(term.lastFrame, 'waiting for the start', 10_000);
    const before = heapAfterGc();
    start();
    await waitForFrame(term.lastFrame, 'restore single complete', 300_000);
    const growth = heapAfterGc() - before;

    console.log(
      `heap growth over ${total} events through the UI: ${(growth / MiB).toFixed(2)} MiB`,
    );
    expect(growth).toBeLessThan(5 * MiB);
    expect(sent).toBe(total);
    expect(term.writes()).toBeLessThan(total / 100);
    const frame = term.lastFrame();
    expect(frame).toContain('chunk 999000');
    expect(frame).toMatch(/log \(\d+ earlier lines\)/);
  });

  it('still answers keys while events never stop: Ctrl+C, y cancels the flood', async () => {
    let sent = 0;
    const endless = fakeCommand('backup single', async (ctx) => {
      while (!ctx.signal.aborted) {
        for (let i = 0; i < 2000; i += 1, sent += 1) {
          ctx.output.emit({
            kind: 'progress',
            phase: 'backup',
            database: 'endless',
            bytes: sent,
            totalBytes: null,
            elapsedMs: sent,
          });
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      throw new Error('stopped');
    });
    const { env, home } = testEnv();
    const session: Session = {
      effects: { env, home, commands: [endless] },
      flags: {},
      signal: new AbortController().signal,
    };
    term = renderTerm(
      <SessionContext.Provider value={session}>
        <RunScreen
          title="Back up 'endless'"
          request={{ command: 'backup single', args: [], flags: {} }}
          onDone={() => undefined}
          width={60}
          height={20}
        />
      </SessionContext.Provider>,
      60,
      24,
    );
    const running = await waitForFrame(term.lastFrame, /endless\s+·+/);
    const widest = Math.max(...running.split('\n').map((line) => Array.from(line).length));
    expect(widest).toBeLessThanOrEqual(60);
    term.write(keys.ctrlC);
    await waitForFrame(term.lastFrame, 'Cancel this run?');
    term.write('y');
    await waitForFrame(term.lastFrame, 'cancelled');
    const atCancel = sent;
    expect(atCancel).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent).toBe(atCancel);
  });
});
