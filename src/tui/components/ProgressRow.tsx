// One database's progress: bar, bytes of the total, rate, elapsed and ETA.
import { Box, Text } from 'ink';
import { formatBytes, formatDuration } from '../../events/format.js';
import { progressRates } from '../../events/events.js';
import { cell, formatBar } from '../format.js';
import type { DatabaseProgress } from '../run-store.js';
import { useTone } from '../theme.js';

/** Props of {@link ProgressRow}. */
export interface ProgressRowProps {
  progress: DatabaseProgress;
  width: number;
}

/** The row; on a narrow terminal the figures go under the bar. */
export function ProgressRow({ progress, width }: ProgressRowProps) {
  const tone = useTone();
  const { rate, etaMs } = progressRates({ kind: 'progress', database: progress.name, ...progress });
  const done = progress.status === 'complete' || progress.status === 'kept';
  const fraction = done
    ? 1
    : progress.totalBytes === null || progress.totalBytes === 0
      ? null
      : progress.bytes / progress.totalBytes;
  const of = progress.totalBytes === null ? '' : ` of ~${formatBytes(progress.totalBytes)}`;
  const eta = done || etaMs === null ? '' : ` · ETA ${formatDuration(etaMs)}`;
  const figures =
    `${formatBytes(progress.bytes)}${of} · ${formatBytes(rate)}/s · ` +
    `${formatDuration(progress.elapsedMs)}${eta}`;
  const status = progress.status === 'running' ? progress.phase : progress.status;
  const nameWidth = Math.min(24, Math.max(10, Math.floor(width / 4)));
  const isNarrow = width < 90;
  const barWidth = Math.max(10, (isNarrow ? width : width - figures.length) - nameWidth - 14);
  const color = progress.status === 'failed' ? tone('bad') : done ? tone('good') : tone('accent');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        {cell(progress.name, nameWidth)} <Text color={color}>{formatBar(fraction, barWidth)}</Text>{' '}
        {cell(status, 9)}
        {isNarrow ? '' : ` ${figures}`}
      </Text>
      {isNarrow ? <Text wrap="truncate">{`  ${figures}`}</Text> : null}
    </Box>
  );
}
