// Runs a backup, restore or verify and shows it live: progress per database, the log, then
// the summary. Ctrl+C asks first, then cancels cleanly as the CLI's interrupt does.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useState } from 'react';
import { formatBytes, formatDuration } from '../../events/format.js';
import { useJob } from '../hooks/use-job.js';
import type { JobOutcome, JobRequest } from '../job-runner.js';
import { summaryOf } from '../summary.js';
import { useTone } from '../theme.js';
import { KeyHints } from './KeyHints.js';
import { LogPane } from './LogPane.js';
import { OutcomeError } from './OutcomeError.js';
import { ProgressRow } from './ProgressRow.js';

/** Props of {@link RunScreen}. */
export interface RunScreenProps {
  title: string;
  request: JobRequest;
  /** Called when the user leaves the finished screen, with how the job ended. */
  onDone: (outcome: JobOutcome) => void;
  width: number;
  height: number;
}

/** The screen; it starts the job when it opens. */
export function RunScreen({ title, request, onDone, width, height }: RunScreenProps) {
  const tone = useTone();
  const job = useJob(request);
  const [isAsking, setAsking] = useState(false);
  const { snapshot, outcome } = job;

  useKeys((input, key) => {
    const isCtrlC = key.ctrl && input === 'c';
    if (outcome !== undefined) {
      if (key.return || key.escape || isCtrlC || input === 'q') onDone(outcome);
      return;
    }
    if (isAsking) {
      if (input === 'y' || input === 'Y') {
        setAsking(false);
        job.cancel();
      } else if (input === 'n' || input === 'N' || key.escape) setAsking(false);
      return;
    }
    if (isCtrlC && !job.isCancelling) setAsking(true);
  });

  const rows = snapshot.databases.slice(-Math.max(1, Math.floor(height / 4)));
  const set = snapshot.set;
  const state =
    outcome === undefined
      ? job.isCancelling
        ? 'cancelling…'
        : 'running'
      : outcome.status === 'ok'
        ? 'done'
        : outcome.status;
  const logHeight = Math.max(3, height - rows.length * (width < 90 ? 2 : 1) - 14);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {`${title} · ${state} · ${formatDuration(job.nowMs - job.startedMs)}`}
      </Text>
      {set === undefined ? null : (
        <Text wrap="wrap">
          {`${set.done}/${set.total} databases${set.failed > 0 ? `, ${set.failed} failed` : ''} · ` +
            `${formatBytes(set.bytes)}${set.totalBytes === null ? '' : ` of ~${formatBytes(set.totalBytes)}`}` +
            (set.etaMs === null ? '' : ` · ETA ${formatDuration(set.etaMs)}`)}
        </Text>
      )}
      {rows.map((progress) => (
        <ProgressRow key={progress.name} progress={progress} width={width} />
      ))}
      <LogPane lines={snapshot.log} dropped={snapshot.droppedLines} height={logHeight} />
      {outcome === undefined ? null : (
        <Result command={request.command} outcome={outcome} width={width} />
      )}
      {isAsking ? (
        <Text color={tone('warn')} bold>
          Cancel this run? Child processes are stopped and temporary files removed. (y/n)
        </Text>
      ) : null}
      <KeyHints hints={outcome === undefined ? [['Ctrl+C', 'cancel']] : [['Enter', 'back']]} />
    </Box>
  );
}

function Result({
  command,
  outcome,
  width,
}: {
  command: string;
  outcome: JobOutcome;
  width: number;
}) {
  const tone = useTone();
  if (outcome.status !== 'ok') return <OutcomeError outcome={outcome} />;
  const lines = summaryOf(command, outcome.data);
  const labelWidth = Math.max(...lines.map(([label]) => label.length), 4);
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1} width={Math.min(width, 120)}>
      <Text bold color={tone('good')}>
        {command === 'verify' ? 'backup is intact' : `${command} complete`}
      </Text>
      {lines.map(([label, value], i) => (
        <Text key={i} wrap="wrap">{`${label.padEnd(labelWidth)}  ${value}`}</Text>
      ))}
    </Box>
  );
}
