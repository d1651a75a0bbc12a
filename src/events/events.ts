// Typed events the engine, pipeline and commands emit; printers turn them into text or JSON.

/** Bytes moved so far in a long step. */
export interface ProgressEvent {
  kind: 'progress';
  phase: 'backup' | 'restore' | 'verify';
  database: string;
  bytes: number;
  /** Expected total, when known (the database size for a backup, the dump size otherwise). */
  totalBytes: number | null;
  elapsedMs: number;
}

/** A step starting or ending, worth one line for a person. */
export interface StepEvent {
  kind: 'step';
  text: string;
}

/** Something the user should know that does not stop the run. */
export interface WarningEvent {
  kind: 'warning';
  text: string;
}

/** A member of a set (a database, or the globals) starting, ending or kept (cluster runs). */
export interface MemberEvent {
  kind: 'member';
  phase: 'backup' | 'restore';
  /** The database, or null for the globals. */
  database: string | null;
  status: 'started' | 'complete' | 'failed' | 'kept';
  /** On `failed`: the error, as one line. */
  error?: string;
}

/** Progress of a whole set: databases done of total, bytes, and an ETA from their sizes. */
export interface SetProgressEvent {
  kind: 'set-progress';
  phase: 'backup' | 'restore';
  done: number;
  failed: number;
  total: number;
  /** Dump bytes moved so far, over every member. */
  bytes: number;
  /** Sum of the members' database sizes (backup) or dump sizes (restore), the ETA's base. */
  totalBytes: number | null;
  elapsedMs: number;
  /** Estimated time left, from the share of that total done so far; null before any. */
  etaMs: number | null;
}

/** Every event kind. */
export type AppEvent = ProgressEvent | StepEvent | WarningEvent | MemberEvent | SetProgressEvent;

/** Receives events; never throws. */
export type Emit = (event: AppEvent) => void;

/**
 * Derived figures of a progress event: rate in bytes/s and ETA in ms, when computable. No ETA
 * in the first second or the first 1 %: the total is a database's size, not its dump's, and a
 * rate from a start-up moment would promise hours for a backup that ends in a second.
 */
export function progressRates(event: ProgressEvent): { rate: number; etaMs: number | null } {
  const rate = event.elapsedMs > 0 ? (event.bytes * 1000) / event.elapsedMs : 0;
  const total = event.totalBytes;
  if (total === null || rate === 0 || event.bytes >= total) return { rate, etaMs: null };
  if (event.elapsedMs < 1000 || event.bytes < total / 100) return { rate, etaMs: null };
  return { rate, etaMs: ((total - event.bytes) / rate) * 1000 };
}
