// What every screen shares: the effects commands run with, the flags in force, the session's
// abort signal (SIGINT/SIGTERM of the process), and the terminal size.
import { createContext, useContext } from 'react';
import type { FlagValue } from '../cli/create-context.js';
import type { JobEffects, JobRequest } from './job-runner.js';

/** The session of the UI. */
export interface Session {
  effects: JobEffects;
  /** Flags from the command line that started the UI, plus the engine chosen on screen. */
  flags: Readonly<Record<string, FlagValue>>;
  /** Aborted when the process is told to stop; every running job stops with it. */
  signal: AbortSignal;
}

/** The session; App provides it. */
export const SessionContext = createContext<Session | undefined>(undefined);

/** The session of the enclosing App. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside of <App>');
  return session;
}

/** A request with the session's flags under the job's own. */
export function requestOf(
  session: Session,
  command: string,
  args: readonly string[] = [],
  flags: Readonly<Record<string, FlagValue>> = {},
): JobRequest {
  return { command, args, flags: { ...session.flags, ...flags } };
}
