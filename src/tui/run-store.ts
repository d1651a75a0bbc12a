// The state of one run on screen, folded from its events; bounded however long the run is.
import type { AppEvent, ProgressEvent, SetProgressEvent } from '../events/events.js';
import { Ring } from './ring.js';

/** One database's progress, as the latest event and member status left it. */
export interface DatabaseProgress {
  /** The database, or `(globals)` for a cluster's server-wide objects. */
  name: string;
  phase: ProgressEvent['phase'];
  bytes: number;
  totalBytes: number | null;
  elapsedMs: number;
  status: 'running' | 'complete' | 'failed' | 'kept';
}

/** One line of the log pane. */
export interface LogLine {
  level: 'info' | 'warning' | 'error';
  text: string;
}

/** What the run screen draws: copies, safe to keep while the store changes. */
export interface RunSnapshot {
  databases: DatabaseProgress[];
  set: SetProgressEvent | undefined;
  log: LogLine[];
  /** Log lines no longer held (the pane shows the newest). */
  droppedLines: number;
  events: number;
}

/** Limits of a store. */
export interface RunStoreLimits {
  logLines: number;
  /** Databases shown; the oldest finished ones make room for new ones. */
  databases: number;
}

const defaults: RunStoreLimits = { logLines: 200, databases: 64 };

/** Folds events into a bounded state; `version` changes whenever the state does. */
export class RunStore {
  private readonly log: Ring<LogLine>;
  private readonly databases = new Map<string, DatabaseProgress>();
  private set: SetProgressEvent | undefined;
  private readonly limits: RunStoreLimits;
  private events = 0;
  /** Increases with every change; a renderer compares it to know when to redraw. */
  version = 0;

  constructor(limits: Partial<RunStoreLimits> = {}) {
    this.limits = { ...defaults, ...limits };
    this.log = new Ring(this.limits.logLines);
  }

  /** Applies one event. */
  apply = (event: AppEvent): void => {
    this.events += 1;
    this.version += 1;
    if (event.kind === 'progress') this.progress(event);
    else if (event.kind === 'set-progress') this.set = event;
    else if (event.kind === 'member') this.member(event);
    else this.log.push({ level: event.kind === 'warning' ? 'warning' : 'info', text: event.text });
  };

  /** Adds a line of the UI's own (the outcome, a cancel request). */
  note(line: LogLine): void {
    this.version += 1;
    this.log.push(line);
  }

  /** Marks every database still running as complete, once the job succeeded. */
  finish(): void {
    this.version += 1;
    for (const entry of this.databases.values()) {
      if (entry.status === 'running') entry.status = 'complete';
    }
  }

  /** A copy of the state to draw. */
  snapshot(): RunSnapshot {
    return {
      databases: [...this.databases.values()].map((d) => ({ ...d })),
      set: this.set,
      log: this.log.last(),
      droppedLines: this.log.dropped,
      events: this.events,
    };
  }

  private progress(event: ProgressEvent): void {
    const entry = this.entry(event.database, event.phase);
    entry.phase = event.phase;
    entry.bytes = event.bytes;
    entry.totalBytes = event.totalBytes;
    entry.elapsedMs = event.elapsedMs;
  }

  private member(event: Extract<AppEvent, { kind: 'member' }>): void {
    const name = event.database ?? '(globals)';
    const entry = this.entry(name, event.phase);
    entry.status = event.status === 'started' ? 'running' : event.status;
    const what = event.database === null ? 'globals' : `'${event.database}'`;
    if (event.status !== 'started') {
      const why = event.error === undefined ? '' : `: ${event.error}`;
      this.log.push({
        level: event.status === 'failed' ? 'error' : 'info',
        text: `${event.phase} ${what}: ${event.status}${why}`,
      });
    }
  }

  private entry(name: string, phase: ProgressEvent['phase']): DatabaseProgress {
    let entry = this.databases.get(name);
    if (entry === undefined) {
      entry = { name, phase, bytes: 0, totalBytes: null, elapsedMs: 0, status: 'running' };
      this.databases.set(name, entry);
      this.trim();
    }
    return entry;
  }

  private trim(): void {
    if (this.databases.size <= this.limits.databases) return;
    const finished = [...this.databases.values()].find((d) => d.status !== 'running');
    const victim = finished ?? this.databases.values().next().value;
    if (victim !== undefined) this.databases.delete(victim.name);
  }
}
