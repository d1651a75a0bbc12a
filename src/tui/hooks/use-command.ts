// Runs a short command whose result a screen shows (a list, a status); `reload` runs it again.
import { useCallback, useEffect, useState } from 'react';
import { runJob, type JobOutcome, type JobRequest } from '../job-runner.js';
import { useSession } from '../session.js';

/** The outcome once known, and a way to ask again. */
export interface CommandView {
  outcome: JobOutcome | undefined;
  reload: () => void;
}

/** Runs the request on mount and on every reload; a newer run replaces an older one. */
export function useCommand(request: JobRequest | undefined): CommandView {
  const session = useSession();
  const [outcome, setOutcome] = useState<JobOutcome>();
  const [round, setRound] = useState(0);
  const key = JSON.stringify(request ?? null);

  useEffect(() => {
    if (request === undefined) return;
    const controller = new AbortController();
    setOutcome(undefined);
    void runJob({
      effects: session.effects,
      request,
      emit: () => undefined,
      signal: controller.signal,
    }).then((ended) => {
      if (!controller.signal.aborted) setOutcome(ended);
    });
    return () => controller.abort(new Error('screen closed'));
  }, [key, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { outcome, reload };
}
