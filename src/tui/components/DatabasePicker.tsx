// Picks a database of the server, with sizes: type to filter, arrows, Enter; Tab switches
// between PostgreSQL and MariaDB/MySQL.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useState } from 'react';
import { formatBytes } from '../../events/format.js';
import { useCommand } from '../hooks/use-command.js';
import { requestOf, useSession } from '../session.js';
import { useTone } from '../theme.js';
import { KeyHints } from './KeyHints.js';
import { OutcomeError } from './OutcomeError.js';
import { SelectList } from './SelectList.js';

/** Props of {@link DatabasePicker}. */
export interface DatabasePickerProps {
  title: string;
  engine: 'postgres' | 'mysql';
  onPick: (database: string) => void;
  onSwitchEngine: () => void;
  onBack: () => void;
  width: number;
  height: number;
}

interface Listed {
  name: string;
  sizeBytes: number;
}

/** The picker; the list comes from `list databases`. */
export function DatabasePicker(props: DatabasePickerProps) {
  const { title, engine, onPick, onSwitchEngine, onBack, width, height } = props;
  const session = useSession();
  const tone = useTone();
  const { outcome, reload } = useCommand(requestOf(session, 'list databases'));
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState(0);

  const all = outcome?.status === 'ok' ? ((outcome.data.databases ?? []) as Listed[]) : [];
  const needle = filter.toLowerCase();
  const shown = all.filter((db) => db.name.toLowerCase().includes(needle));
  const index = Math.min(selected, Math.max(0, shown.length - 1));

  useKeys((input, key) => {
    if (key.escape) onBack();
    else if (key.tab) onSwitchEngine();
    else if (key.ctrl && input === 'r') reload();
    else if (key.backspace || key.delete) {
      setFilter((f) => f.slice(0, -1));
      setSelected(0);
    } else if (
      input !== '' &&
      !key.ctrl &&
      !key.meta &&
      !key.return &&
      !key.upArrow &&
      !key.downArrow
    ) {
      setFilter((f) => f + input);
      setSelected(0);
    }
  });

  const engineName = engine === 'postgres' ? 'PostgreSQL' : 'MariaDB/MySQL';
  const items = shown.map((db) => ({
    key: db.name,
    label: db.name,
    note: formatBytes(db.sizeBytes),
  }));
  return (
    <Box flexDirection="column">
      <Text bold>{`${title} · ${engineName}`}</Text>
      <Text>
        {'filter: '}
        <Text color={tone('accent')}>{filter}</Text>
        <Text inverse> </Text>
      </Text>
      {outcome === undefined ? <Text color={tone('dim')}>listing databases…</Text> : null}
      {outcome !== undefined && outcome.status !== 'ok' ? <OutcomeError outcome={outcome} /> : null}
      {outcome?.status === 'ok' && shown.length === 0 ? (
        <Text color={tone('dim')}>
          {all.length === 0 ? 'no databases' : 'nothing matches the filter'}
        </Text>
      ) : null}
      <SelectList
        items={items}
        selected={index}
        onMove={setSelected}
        onSelect={(i) => {
          const db = shown[i];
          if (db !== undefined) onPick(db.name);
        }}
        height={Math.max(3, height - 5)}
        width={width}
      />
      <KeyHints
        hints={[
          ['type', 'filter'],
          ['↑↓', 'move'],
          ['Enter', 'choose'],
          ['Tab', 'switch engine'],
          ['Ctrl+R', 'reload'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}
