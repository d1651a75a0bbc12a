// The main menu: every job of the tool, one key or arrow away.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useState } from 'react';
import { KeyHints } from './KeyHints.js';
import { SelectList } from './SelectList.js';

/** What the menu can open. */
export type MenuChoice =
  | 'backup-single'
  | 'backup-cluster'
  | 'restore-single'
  | 'restore-cluster'
  | 'verify'
  | 'browse'
  | 'status'
  | 'settings'
  | 'quit';

/** The entries, in order. */
export const menuEntries: readonly { choice: MenuChoice; label: string; note: string }[] = [
  {
    choice: 'backup-single',
    label: 'Back up one database',
    note: 'pick a database, then watch it run',
  },
  {
    choice: 'backup-cluster',
    label: 'Back up the whole server',
    note: 'every database and the roles',
  },
  {
    choice: 'restore-single',
    label: 'Restore one database',
    note: 'pick a backup, check, restore',
  },
  { choice: 'restore-cluster', label: 'Restore a whole server', note: 'pick a cluster set' },
  { choice: 'verify', label: 'Verify a backup', note: 'checksum and a full read' },
  { choice: 'browse', label: 'Browse backups', note: 'the catalog: verify, restore, delete' },
  { choice: 'status', label: 'Server status', note: 'server, client tools, free space' },
  { choice: 'settings', label: 'Settings', note: 'connection, directory, compression' },
  { choice: 'quit', label: 'Quit', note: '' },
];

/** Props of {@link Menu}. */
export interface MenuProps {
  onChoose: (choice: MenuChoice) => void;
  width: number;
  height: number;
  /** Where the selection starts (the entry last chosen). */
  initial?: MenuChoice;
}

/** The menu; digits 1–9 choose directly, q quits. */
export function Menu({ onChoose, width, height, initial }: MenuProps) {
  const start = Math.max(
    0,
    menuEntries.findIndex((e) => e.choice === initial),
  );
  const [selected, setSelected] = useState(start);
  useKeys((input, key) => {
    const digit = Number(input);
    const entry = menuEntries[digit - 1];
    if (Number.isInteger(digit) && entry !== undefined) onChoose(entry.choice);
    else if (input === 'q' || (key.ctrl && input === 'c')) onChoose('quit');
  });
  const items = menuEntries.map((e, i) => ({
    key: e.choice,
    label: `${i + 1}. ${e.label}`,
    note: e.note,
  }));
  return (
    <Box flexDirection="column">
      <Text bold>What do you want to do?</Text>
      <SelectList
        items={items}
        selected={selected}
        onMove={setSelected}
        onSelect={(i) => onChoose(menuEntries[i]?.choice ?? 'quit')}
        height={Math.max(3, height - 3)}
        width={width}
      />
      <KeyHints
        hints={[
          ['↑↓', 'move'],
          ['Enter', 'open'],
          ['1-9', 'jump'],
          ['q or Ctrl+C', 'quit'],
        ]}
      />
    </Box>
  );
}
