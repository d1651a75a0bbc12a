// Prints events and results: text on stderr for people, JSON lines on stdout for scripts.
import type { Writable } from 'node:stream';
import {
  progressRates,
  type AppEvent,
  type Emit,
  type MemberEvent,
  type SetProgressEvent,
  type StepEvent,
  type WarningEvent,
} from './events.js';
import { formatBytes, formatDuration } from './format.js';

/** How a run reports: text for people, JSON lines for scripts, or quiet. */
export type OutputMode = 'text' | 'json' | 'quiet';

/** The output channel a command writes to. */
export interface Output {
  readonly mode: OutputMode;
  emit: Emit;
  /** Prints the result: `data` as one JSON line in json mode, `text` lines on stdout otherwise. */
  result(data: unknown, text: readonly string[]): void;
  /** Ends any progress line in place. */
  flush(): void;
}

/** Options of {@link createOutput}. */
export interface OutputOptions {
  mode: OutputMode;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  now?: () => number;
}

const plainInterval = 10_000;

/** Builds an output for the given mode. */
export function createOutput({ mode, stdout, stderr, now = Date.now }: OutputOptions): Output {
  const isTTY = stderr.isTTY === true;
  let liveLine = false;
  let lastPlain = 0;

  const flush = () => {
    if (liveLine) stderr.write('\n');
    liveLine = false;
  };

  const emit = (event: AppEvent) => {
    if (mode === 'quiet') return;
    if (mode === 'json') {
      stdout.write(`${JSON.stringify({ type: 'event', ...event })}\n`);
      return;
    }
    if (event.kind !== 'progress' && event.kind !== 'set-progress') {
      flush();
      stderr.write(messageLine(event));
      return;
    }
    const line = event.kind === 'progress' ? progressLine(event) : setProgressLine(event);
    if (isTTY) {
      stderr.write(`\r${line}\x1b[K`);
      liveLine = true;
    } else if (now() - lastPlain >= plainInterval) {
      lastPlain = now();
      stderr.write(`${line}\n`);
    }
  };

  const result = (data: unknown, text: readonly string[]) => {
    flush();
    if (mode === 'json')
      stdout.write(`${JSON.stringify({ type: 'result', ...(data as object) })}\n`);
    else if (mode === 'text') for (const line of text) stdout.write(`${line}\n`);
  };

  return { mode, emit, result, flush };
}

function messageLine(event: StepEvent | WarningEvent | MemberEvent): string {
  if (event.kind === 'warning') return `warning: ${event.text}\n`;
  if (event.kind === 'step') return `${event.text}\n`;
  const what = event.database === null ? 'globals' : `'${event.database}'`;
  const why = event.error === undefined ? '' : `: ${event.error}`;
  return `${event.phase} ${what}: ${event.status}${why}\n`;
}

function setProgressLine(event: SetProgressEvent): string {
  const of = event.totalBytes === null ? '' : ` (~${formatBytes(event.totalBytes)})`;
  const rate = event.elapsedMs > 0 ? (event.bytes * 1000) / event.elapsedMs : 0;
  const failed = event.failed > 0 ? `, ${event.failed} failed` : '';
  const eta = event.etaMs === null ? '' : `, ETA ${formatDuration(event.etaMs)}`;
  return (
    `${event.phase} set: ${event.done}/${event.total} databases${of}${failed}, ` +
    `${formatBytes(event.bytes)}, ${formatBytes(rate)}/s, ` +
    `${formatDuration(event.elapsedMs)} elapsed${eta}`
  );
}

function progressLine(event: Extract<AppEvent, { kind: 'progress' }>): string {
  const { rate, etaMs } = progressRates(event);
  const of = event.totalBytes === null ? '' : ` of ~${formatBytes(event.totalBytes)}`;
  const eta = etaMs === null ? '' : `, ETA ${formatDuration(etaMs)}`;
  return (
    `${event.phase} '${event.database}': ${formatBytes(event.bytes)}${of}, ` +
    `${formatBytes(rate)}/s, ${formatDuration(event.elapsedMs)} elapsed${eta}`
  );
}
