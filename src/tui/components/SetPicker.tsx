// Picks a cluster set of the backup directory for a whole-server restore.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useState } from 'react';
import { formatLocalTime } from '../../events/format.js';
import { useCommand } from '../hooks/use-command.js';
import { requestOf, useSession } from '../session.js';
import { useTone } from '../theme.js';
import { KeyHints } from './KeyHints.js';
import { OutcomeError } from './OutcomeError.js';
import { SelectList } from './SelectList.js';

/** Props of {@link SetPicker}. */
export interface SetPickerProps {
  onPick: (path: string) => void;
  onBack: () => void;
  width: number;
  height: number;
}

interface ListedSet {
  set: string;
  path: string;
  status: string;
  startedAt: string | null;
  members: unknown[];
}

/** The sets from `list backups`, newest last as it lists them. */
export function SetPicker({ onPick, onBack, width, height }: SetPickerProps) {
  const session = useSession();
  const tone = useTone();
  const { outcome } = useCommand(requestOf(session, 'list backups'));
  const [selected, setSelected] = useState(0);
  useKeys((_input, key) => {
    if (key.escape) onBack();
  });
  const sets = outcome?.status === 'ok' ? ((outcome.data.sets ?? []) as ListedSet[]) : [];
  const items = sets.map((s) => ({
    key: s.path,
    label: `${s.set}  ${s.startedAt === null ? '-' : formatLocalTime(s.startedAt)}`,
    note: `${s.status}, ${Math.max(0, s.members.length - 1)} database(s)`,
  }));
  return (
    <Box flexDirection="column">
      <Text bold>Restore a whole server: pick a set</Text>
      {outcome === undefined ? (
        <Text color={tone('dim')}>reading the backup directory…</Text>
      ) : null}
      {outcome !== undefined && outcome.status !== 'ok' ? <OutcomeError outcome={outcome} /> : null}
      {outcome?.status === 'ok' && sets.length === 0 ? (
        <Text color={tone('dim')}>no cluster sets: make one with “Back up the whole server”</Text>
      ) : null}
      <SelectList
        items={items}
        selected={Math.min(selected, Math.max(0, items.length - 1))}
        onMove={setSelected}
        onSelect={(i) => {
          const chosen = sets[i];
          if (chosen !== undefined) onPick(chosen.path);
        }}
        height={Math.max(3, height - 4)}
        width={width}
      />
      <KeyHints
        hints={[
          ['↑↓', 'move'],
          ['Enter', 'preview'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}
