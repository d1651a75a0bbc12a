// Settings: connection, backup directory, compression, encryption recipient, jobs; saved to
// the config file the CLI reads (0600). A password is stored only after a typed confirmation.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useState } from 'react';
import { saveConfigFile } from '../../config/save.js';
import { changesOf, draftOf, settingsFields } from '../settings-form.js';
import type { SettingsView } from '../settings.js';
import { useTone } from '../theme.js';
import { fit } from '../format.js';
import { KeyHints } from './KeyHints.js';
import { applyTyped, TextInput } from './TextInput.js';

/** Props of {@link SettingsScreen}. */
export interface SettingsScreenProps {
  settings: SettingsView;
  /** Called after a save, so the header and the next jobs use the new values. */
  onSaved: () => void;
  onBack: () => void;
  width: number;
}

/** The form: ↑↓ choose a field, Enter edits it, s saves. */
export function SettingsScreen({ settings, onSaved, onBack, width }: SettingsScreenProps) {
  const tone = useTone();
  const [before] = useState(() => draftOf(settings));
  const [draft, setDraft] = useState(before);
  const [focus, setFocus] = useState(0);
  const [isEditing, setEditing] = useState(false);
  const [editStart, setEditStart] = useState('');
  const [askPassword, setAskPassword] = useState(false);
  const [typed, setTyped] = useState('');
  const [message, setMessage] = useState<string>();
  const field = settingsFields[focus] ?? settingsFields[0];

  const save = async (storePassword: boolean) => {
    // A password is kept in memory only until this save, stored or not.
    setDraft((d) => ({ ...d, password: '' }));
    try {
      const changes = changesOf(before, storePassword ? draft : { ...draft, password: '' });
      if (Object.keys(changes).length === 0) {
        setMessage('nothing changed');
        return;
      }
      await saveConfigFile({ path: settings.configPath, changes });
      setMessage(`saved ${Object.keys(changes).join(', ')} to ${settings.configPath} (mode 0600)`);
      onSaved();
    } catch (error) {
      setMessage(`not saved: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  // Editing is handled here rather than by a TextInput mounted on Enter, whose keys would
  // only count once it had subscribed.
  useKeys(
    (input, key) => {
      if (field === undefined) return;
      if (key.return) setEditing(false);
      else if (key.escape) {
        setDraft((d) => ({ ...d, [field.key]: editStart }));
        setEditing(false);
      } else if (key.backspace || key.delete)
        setDraft((d) => ({ ...d, [field.key]: (d[field.key] ?? '').slice(0, -1) }));
      else if (!key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow)
        setDraft((d) => ({ ...d, [field.key]: applyTyped(d[field.key] ?? '', input) }));
    },
    { isActive: isEditing },
  );

  useKeys(
    (input, key) => {
      setMessage(undefined);
      if (key.escape) onBack();
      else if (key.upArrow) setFocus((f) => Math.max(0, f - 1));
      else if (key.downArrow || key.tab)
        setFocus((f) => Math.min(settingsFields.length - 1, f + 1));
      else if (key.return && field !== undefined) {
        setEditStart(draft[field.key] ?? '');
        setEditing(true);
      } else if (input === 's') {
        if ((draft.password ?? '') !== '') setAskPassword(true);
        else void save(false);
      }
    },
    { isActive: !isEditing && !askPassword },
  );

  const labelWidth = Math.min(46, Math.max(...settingsFields.map((f) => f.label.length)));
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Settings</Text>
      <Text wrap="truncate-middle" color={tone('dim')}>{`config file ${settings.configPath}`}</Text>
      {settingsFields.map((f, i) => {
        const value = draft[f.key] ?? '';
        const isFocused = i === focus;
        const shown =
          f.kind === 'secret'
            ? value === ''
              ? passwordNote(settings)
              : '•'.repeat(value.length)
            : value;
        return (
          <Text key={f.key} wrap="truncate">
            <Text
              inverse={isFocused && !isEditing}
            >{`${isFocused ? '›' : ' '} ${fit(f.label, labelWidth).padEnd(labelWidth)}`}</Text>
            {'  '}
            {isFocused && isEditing ? (
              <Text>
                {f.kind === 'secret' ? '•'.repeat(value.length) : value}
                <Text inverse> </Text>
              </Text>
            ) : (
              shown
            )}
          </Text>
        );
      })}
      {settings.flagged.length > 0 ? (
        <Text color={tone('warn')} wrap="wrap">
          {`set on the command line, which beats the file this session: ${settings.flagged.join(', ')}`}
        </Text>
      ) : null}
      {askPassword ? (
        <Box flexDirection="column">
          <Text color={tone('warn')} bold wrap="wrap">
            {`The password would be stored in plain text in ${settings.configPath} (readable by you only, mode 0600). ` +
              'Safer: PGPASSWORD/MYSQL_PWD, ~/.pgpass or ~/.my.cnf. Type "store" to store it, or Esc to save without it:'}
          </Text>
          <TextInput
            value={typed}
            onChange={setTyped}
            onSubmit={(value) => {
              setAskPassword(false);
              setTyped('');
              void save(value === 'store');
            }}
            onCancel={() => {
              setAskPassword(false);
              setTyped('');
              void save(false);
            }}
          />
        </Box>
      ) : null}
      {message === undefined ? null : <Text wrap="wrap">{message}</Text>}
      <KeyHints
        hints={
          isEditing
            ? [
                ['type', 'edit'],
                ['Enter', 'done'],
                ['Esc', 'undo'],
              ]
            : [
                ['↑↓', 'field'],
                ['Enter', `edit ${field?.label.split(' ')[0] ?? ''}`],
                ['s', 'save'],
                ['Esc', 'back'],
              ]
        }
      />
    </Box>
  );
}

function passwordNote(settings: SettingsView): string {
  const source = settings.passwordSource;
  return source === undefined
    ? '(none: ~/.pgpass, ~/.my.cnf or the server’s own auth)'
    : `(from ${source})`;
}
