// A failed or cancelled job as the CLI would print it: the message, the detail, the hint.
import { Box, Text } from 'ink';
import type { JobOutcome } from '../job-runner.js';
import { useTone } from '../theme.js';

/** Props of {@link OutcomeError}. */
export interface OutcomeErrorProps {
  outcome: Exclude<JobOutcome, { status: 'ok' }>;
}

/** The error lines; the detail is cut to its last lines. */
export function OutcomeError({ outcome }: OutcomeErrorProps) {
  const tone = useTone();
  const detail = outcome.detail?.split('\n').slice(-6) ?? [];
  const label = outcome.status === 'cancelled' ? 'cancelled' : `error (exit ${outcome.code})`;
  return (
    <Box flexDirection="column">
      <Text color={tone(outcome.status === 'cancelled' ? 'warn' : 'bad')} wrap="wrap">
        {`${label}: ${outcome.message}`}
      </Text>
      {detail.map((line, i) => (
        <Text key={i} color={tone('dim')} wrap="truncate">{`  ${line}`}</Text>
      ))}
      {outcome.hint === undefined ? null : <Text wrap="wrap">{`hint: ${outcome.hint}`}</Text>}
    </Box>
  );
}
