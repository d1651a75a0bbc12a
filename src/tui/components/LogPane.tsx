// The newest log lines of a run in a pane of fixed height; older lines are counted, not kept.
import { Box, Text } from 'ink';
import type { LogLine } from '../run-store.js';
import { useTone } from '../theme.js';

/** Props of {@link LogPane}. */
export interface LogPaneProps {
  lines: readonly LogLine[];
  dropped: number;
  height: number;
}

/** The pane; warnings and errors keep a prefix so they read without colour. */
export function LogPane({ lines, dropped, height }: LogPaneProps) {
  const tone = useTone();
  const rows = Math.max(1, height);
  const shown = lines.slice(-rows);
  const hidden = dropped + lines.length - shown.length;
  return (
    <Box flexDirection="column" height={rows + 1}>
      <Text color={tone('dim')}>{hidden > 0 ? `log (${hidden} earlier lines)` : 'log'}</Text>
      {shown.map((line, i) => (
        <Text
          key={i}
          wrap="truncate"
          color={
            line.level === 'error'
              ? tone('bad')
              : line.level === 'warning'
                ? tone('warn')
                : undefined
          }
        >
          {line.level === 'info' ? line.text : `${line.level}: ${line.text}`}
        </Text>
      ))}
    </Box>
  );
}
