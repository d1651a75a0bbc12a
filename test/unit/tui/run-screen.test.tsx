// The run screen: live progress, the log, the summary, and Ctrl+C asking before it cancels.
import type { ChildProcess } from 'node:child_process';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { RunScreen } from '../../../src/tui/components/RunScreen.js';
import { SessionContext, type Session } from '../../../src/tui/session.js';
import type { CommandSpec } from '../../../src/cli/command.js';
import { ExitCode } from '../../../src/errors.js';
import { fakeCommand, keys, settle, testEnv, waitForFrame } from '../../helpers/tui.js';

afterEach(() => cleanup());

function screen(command: CommandSpec, name = command.name, signal = new AbortController().signal) {
  const { env, home } = testEnv();
  const session: Session = { effects: { env, home, commands: [command] }, flags: {}, signal };
  const outcomes: unknown[] = [];
  const view = render(
    <SessionContext.Provider value={session}>
      <RunScreen
        title="Back up 'shop'"
        request={{ command: name, args: ['shop'], flags: {} }}
        onDone={(outcome) => outcomes.push(outcome)}
        width={100}
        height={30}
      />
    </SessionContext.Provider>,
  );
  return { ...view, outcomes };
}

const manifest = {
  file: '/backups/shop_20260101T000000Z.pgdump.zst',
  sizes: { stored: 1536, dump: 4096, database: 8192 },
  checksum: { algorithm: 'sha256', value: 'c0ffee'.repeat(10) + 'abcd' },
  verified: { afterBackup: true },
  encryption: null,
  fingerprint: { tables: [{ name: 'a' }, { name: 'b' }] },
};

describe('RunScreen', () => {
  it('shows progress with bytes, rate and ETA, the log, then the summary', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const backup = fakeCommand('backup single', async (ctx) => {
      ctx.output.emit({ kind: 'step', text: "backing up 'shop' to /backups/shop.pgdump.zst" });
      ctx.output.emit({
        kind: 'progress',
        phase: 'backup',
        database: 'shop',
        bytes: 4 * 1024 * 1024,
        totalBytes: 8 * 1024 * 1024,
        elapsedMs: 2000,
      });
      await gate;
      ctx.output.result({ command: 'backup single', ok: true, ...manifest }, []);
      return ExitCode.ok;
    });
    const { lastFrame, stdin, outcomes } = screen(backup);

    const running = await waitForFrame(lastFrame, '4.0 MiB of ~8.0 MiB');
    expect(running).toContain('2.0 MiB/s');
    expect(running).toContain('ETA 0:02');
    expect(running).toMatch(/shop\s+█+░+/);
    expect(running).toContain("backing up 'shop' to /backups/shop.pgdump.zst");
    expect(running).toContain('Ctrl+C cancel');

    release();
    const done = await waitForFrame(lastFrame, 'backup single complete');
    expect(done).toContain(`file       ${manifest.file}`);
    expect(done).toContain('1.5 KiB stored, 4.0 KiB dump');
    expect(done).toContain(`sha256 ${manifest.checksum.value}`);
    expect(done).toContain('verified   yes, re-read after writing');
    stdin.write(keys.enter);
    await settle();
    expect(outcomes).toMatchObject([{ status: 'ok', code: 0 }]);
  });

  it('shows the error and its hint when the job fails', async () => {
    const failing = fakeCommand('backup single', async () => {
      const { UserError } = await import('../../../src/errors.js');
      throw new UserError("database 'shop' does not exist on db1", {
        code: ExitCode.noInput,
        hint: 'Check the name with `dbbackup list databases`.',
      });
    });
    const { lastFrame } = screen(failing);
    const frame = await waitForFrame(lastFrame, 'does not exist');
    expect(frame).toContain('error (exit 66)');
    expect(frame).toContain('hint: Check the name');
    expect(frame).toContain('· failed ·');
  });

  it('asks before cancelling on Ctrl+C, keeps running on n, and stops the child on y', async () => {
    let child: ChildProcess | undefined;
    let removedTemp = false;
    const slow = fakeCommand('backup single', async (ctx) => {
      // The same spawn the CLI's jobs use: it stops its children when the run is cancelled.
      child = ctx.spawn('sleep', ['60'], { stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child?.once('exit', (_code, signal) => resolve(signal)),
      );
      const signal = await exited;
      removedTemp = true;
      throw new Error(`sleep stopped by ${String(signal)}`);
    });
    const { lastFrame, stdin, outcomes } = screen(slow);
    await waitForFrame(lastFrame, 'running');

    stdin.write(keys.ctrlC);
    await waitForFrame(lastFrame, 'Cancel this run?');
    stdin.write('n');
    await settle(100);
    expect(lastFrame()).not.toContain('Cancel this run?');
    expect(child?.exitCode).toBe(null);
    expect(child?.signalCode).toBe(null);

    stdin.write(keys.ctrlC);
    await waitForFrame(lastFrame, 'Cancel this run?');
    stdin.write('y');
    const frame = await waitForFrame(lastFrame, 'child processes were stopped');
    expect(frame).toContain('cancelled');
    expect(child?.signalCode).toBe('SIGTERM');
    expect(removedTemp).toBe(true);
    stdin.write(keys.enter);
    await settle();
    expect(outcomes).toMatchObject([{ status: 'cancelled', code: 130 }]);
  });

  it('cancels a running job when the process is told to stop (SIGTERM)', async () => {
    const controller = new AbortController();
    let child: ChildProcess | undefined;
    const slow = fakeCommand('backup single', async (ctx) => {
      child = ctx.spawn('sleep', ['60'], { stdio: 'ignore' });
      await new Promise((resolve) => child?.once('exit', resolve));
      throw new Error('stopped');
    });
    const { lastFrame } = screen(slow, 'backup single', controller.signal);
    await waitForFrame(lastFrame, 'running');
    controller.abort(new Error('SIGTERM'));
    await waitForFrame(lastFrame, 'cancelled');
    expect(child?.signalCode).toBe('SIGTERM');
  });
});
