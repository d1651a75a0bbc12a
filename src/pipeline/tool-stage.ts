// Turns a filter tool (zstd, age…) reading stdin and writing stdout into one Duplex stage.
import { Duplex } from 'node:stream';
import type { ToolRun } from '../process/run-tool.js';

/** A pipeline stage: the stream to chain and a promise for how it ended. */
export interface Stage {
  stream: Duplex;
  /** Settles when the stage has finished its work; rejects with the stage's own error. */
  done: Promise<void>;
}

/** Wraps a started tool whose stdin and stdout are pipes. */
export function toolStage(run: ToolRun): Stage {
  const { child } = run;
  if (child.stdin === null || child.stdout === null) {
    throw new Error('tool stage needs piped stdin and stdout');
  }

  const stream = Duplex.from({ writable: child.stdin, readable: child.stdout });
  // If the pipeline gives up (another stage failed), the tool must not linger.
  stream.once('close', () => {
    const running = child.exitCode === null && child.signalCode === null;
    if (running && !stream.readableEnded) child.kill('SIGTERM');
  });
  run.done.catch((error: unknown) => stream.destroy(error as Error));
  return { stream, done: run.done };
}
