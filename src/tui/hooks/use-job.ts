// Runs one job for a screen: events go to a bounded store, the screen redraws at most every
// `intervalMs`, so a flood of progress events never floods React or blocks input.
import { useEffect, useRef, useState } from 'react';
import { runJob, type JobOutcome, type JobRequest } from '../job-runner.js';
import { RunStore, type RunSnapshot } from '../run-store.js';
import { useSession } from '../session.js';

/** What a screen sees of its job. */
export interface JobView {
  snapshot: RunSnapshot;
  outcome: JobOutcome | undefined;
  /** When the job started, ms since the epoch. */
  startedMs: number;
  /** Now, refreshed with each redraw. */
  nowMs: number;
  /** Asks the job to stop (children killed, temp files removed); the outcome follows. */
  cancel: () => void;
  isCancelling: boolean;
}

/** Starts the request once, on mount; unmounting cancels a job still running. */
export function useJob(request: JobRequest, intervalMs = 100): JobView {
  const session = useSession();
  const now = () => session.effects.clock?.now().getTime() ?? Date.now();
  const store = useRef(new RunStore()).current;
  const controller = useRef(new AbortController()).current;
  const [startedMs] = useState(now);
  const [snapshot, setSnapshot] = useState<RunSnapshot>(() => store.snapshot());
  const [nowMs, setNowMs] = useState(startedMs);
  const [outcome, setOutcome] = useState<JobOutcome>();
  const [isCancelling, setCancelling] = useState(false);

  useEffect(() => {
    const stop = () => controller.abort(new Error('cancelled from the terminal UI'));
    if (session.signal.aborted) stop();
    session.signal.addEventListener('abort', stop);
    let drawn = -1;
    const timer = setInterval(() => {
      setNowMs(now());
      if (store.version === drawn) return;
      drawn = store.version;
      setSnapshot(store.snapshot());
    }, intervalMs);

    void runJob({
      effects: session.effects,
      request,
      emit: store.apply,
      signal: controller.signal,
    }).then((ended) => {
      clearInterval(timer);
      if (ended.status === 'ok') store.finish();
      setSnapshot(store.snapshot());
      setNowMs(now());
      setOutcome(ended);
    });
    return () => {
      clearInterval(timer);
      session.signal.removeEventListener('abort', stop);
      stop();
    };
  }, []);

  const cancel = () => {
    setCancelling(true);
    controller.abort(new Error('cancelled from the terminal UI'));
  };
  return { snapshot, outcome, startedMs, nowMs, cancel, isCancelling };
}
