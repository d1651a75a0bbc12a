// Whole-server screens: the backup asks first and shows the set's progress; the restore picks
// a set and goes through the same preview.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/errors.js';
import type { JobRequest } from '../../../src/tui/job-runner.js';
import {
  appWith,
  effectsWith,
  fakeCommand,
  keys,
  resultCommand,
  settle,
  waitForFrame,
} from '../../helpers/tui.js';

afterEach(() => cleanup());

describe('back up the whole server', () => {
  it('asks first, then shows each database and the set with its ETA', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const cluster = fakeCommand('backup cluster', async (ctx) => {
      runs += 1;
      const emit = ctx.output.emit;
      emit({ kind: 'member', phase: 'backup', database: null, status: 'started' });
      emit({ kind: 'member', phase: 'backup', database: null, status: 'complete' });
      emit({ kind: 'member', phase: 'backup', database: 'shop', status: 'started' });
      emit({
        kind: 'progress',
        phase: 'backup',
        database: 'shop',
        bytes: 1024,
        totalBytes: 4096,
        elapsedMs: 1000,
      });
      emit({
        kind: 'member',
        phase: 'backup',
        database: 'sales',
        status: 'failed',
        error: 'pg_dump exited with code 1',
      });
      emit({
        kind: 'set-progress',
        phase: 'backup',
        done: 1,
        failed: 1,
        total: 3,
        bytes: 1024,
        totalBytes: 8192,
        elapsedMs: 1000,
        etaMs: 7000,
      });
      await gate;
      ctx.output.result(
        { command: 'backup cluster', ok: true, set: 'cluster_x', databases: 3 },
        [],
      );
      return ExitCode.ok;
    });
    const { lastFrame, stdin } = render(appWith(effectsWith([cluster])));
    await waitForFrame(lastFrame, 'PostgreSQL');
    stdin.write('2');
    await waitForFrame(lastFrame, 'Start? (y/n)');
    stdin.write('n');
    await waitForFrame(lastFrame, 'What do you want to do?');
    expect(runs).toBe(0);

    stdin.write('2');
    await waitForFrame(lastFrame, 'Start? (y/n)');
    stdin.write('y');
    const frame = await waitForFrame(lastFrame, '1/3 databases, 1 failed');
    expect(frame).toContain('ETA 0:07');
    expect(frame).toMatch(/\(globals\)\s+█+\s+complete/);
    expect(frame).toMatch(/shop\s+█*░+\s+backup/);
    expect(frame).toMatch(/sales\s+.*failed/);
    expect(frame).toContain("error: backup 'sales': failed: pg_dump exited with code 1");
    release();
    await waitForFrame(lastFrame, 'backup cluster complete');
    expect(runs).toBe(1);
  });
});

describe('restore a whole server', () => {
  it('picks a set, shows its plan, and asks for "restore" typed with --clean-cluster', async () => {
    const seen: JobRequest[] = [];
    const sets = resultCommand('list backups', () => ({
      backups: [],
      sets: [
        {
          set: 'cluster_20260101T000000Z',
          path: '/b/cluster_20260101T000000Z',
          status: 'complete',
          startedAt: '2026-01-01T00:00:00Z',
          members: [{}, {}, {}],
        },
      ],
    }));
    const restore = fakeCommand('restore cluster', (ctx, args) => {
      const confirm = ctx.config.values.get('confirm') === true;
      seen.push({
        command: 'restore cluster',
        args,
        flags: { confirm, clean: ctx.config.values.get('clean-cluster') === true },
      });
      const data = confirm
        ? { ok: true, executed: true }
        : {
            ok: true,
            executed: false,
            plan: {
              set: args[0],
              actions: ['drop and recreate 2 database(s)', 'restore the globals'],
              checks: [{ name: 'globals', ok: true, detail: 'roles file intact' }],
            },
          };
      ctx.output.result({ command: 'restore cluster', ...data }, []);
      return ExitCode.ok;
    });
    const { lastFrame, stdin } = render(appWith(effectsWith([sets, restore])));
    await waitForFrame(lastFrame, 'PostgreSQL');
    stdin.write('4');
    await waitForFrame(lastFrame, '› cluster_20260101T000000Z');
    expect(lastFrame()).toContain('complete, 2 database(s)');
    stdin.write(keys.enter);
    await waitForFrame(lastFrame, '--clean-cluster');
    stdin.write(keys.space);
    await waitForFrame(lastFrame, '[x] --clean-cluster');
    stdin.write(keys.enter);
    await waitForFrame(lastFrame, 'Type "restore" to confirm');
    expect(lastFrame()).toContain('[ OK ] globals: roles file intact');
    stdin.write('restore');
    await settle();
    stdin.write(keys.enter);
    await waitForFrame(lastFrame, 'restore cluster complete');
    expect(seen.map((r) => [r.args[0], r.flags.confirm, r.flags.clean])).toEqual([
      ['/b/cluster_20260101T000000Z', false, true],
      ['/b/cluster_20260101T000000Z', true, true],
    ]);
  });
});
