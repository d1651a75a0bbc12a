// The catalog's backups with status, size and age; verify, deep verify, restore, delete and
// details from the keyboard.
import { join } from 'node:path';
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useState } from 'react';
import { formatBytes, formatLocalTime } from '../../events/format.js';
import { backupsOf, verifiedOf, type BrowsedBackup } from '../backups.js';
import { cell, formatAge } from '../format.js';
import { useCommand } from '../hooks/use-command.js';
import { runJob } from '../job-runner.js';
import { requestOf, useSession } from '../session.js';
import { useTone } from '../theme.js';
import { KeyHints } from './KeyHints.js';
import { OutcomeError } from './OutcomeError.js';
import { SelectList } from './SelectList.js';

/** What the browser asks the app to do with a backup (its full path). */
export type BrowserAction = 'verify' | 'deep-verify' | 'restore';

/** Props of {@link BackupBrowser}. */
export interface BackupBrowserProps {
  title: string;
  /** What Enter does: show details, verify or open the restore preview. */
  enterAction: BrowserAction | 'details';
  backupDir: string;
  onAction: (action: BrowserAction, path: string, backup: BrowsedBackup) => void;
  onBack: () => void;
  width: number;
  height: number;
}

/** The browser; the list is `catalog list`, newest first. */
export function BackupBrowser(props: BackupBrowserProps) {
  const { title, enterAction, backupDir, onAction, onBack, width, height } = props;
  const session = useSession();
  const tone = useTone();
  const { outcome, reload } = useCommand(requestOf(session, 'catalog list'));
  const [selected, setSelected] = useState(0);
  const [isDetailed, setDetailed] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [message, setMessage] = useState<string>();
  const nowMs = session.effects.clock?.now().getTime() ?? Date.now();

  const backups = outcome?.status === 'ok' ? backupsOf(outcome.data) : [];
  const index = Math.min(selected, Math.max(0, backups.length - 1));
  const current = backups[index];
  const path = current?.file == null ? undefined : join(backupDir, current.file);

  const act = (action: BrowserAction) => {
    if (current !== undefined && path !== undefined) onAction(action, path, current);
    else if (current === undefined) setMessage('no backup selected: the list is empty or loading');
    else setMessage('this entry is a failed attempt: there is no file to use');
  };
  const remove = async (file: string) => {
    setMessage(`deleting ${file}…`);
    const ended = await runJob({
      effects: session.effects,
      request: requestOf(session, 'delete backup', [file]),
      emit: () => undefined,
      signal: session.signal,
    });
    setMessage(ended.status === 'ok' ? `deleted ${file}` : `not deleted: ${ended.message}`);
    reload();
  };

  useKeys((input, key) => {
    if (confirmDelete) {
      setConfirmDelete(false);
      if (input === 'y' && current?.file != null) void remove(current.file);
      else setMessage('kept');
      return;
    }
    setMessage(undefined);
    if (key.escape) {
      if (isDetailed) setDetailed(false);
      else onBack();
    } else if (key.ctrl && input === 'r') reload();
    else if (key.return) {
      if (enterAction === 'details') setDetailed((d) => !d);
      else act(enterAction);
    } else if (input === 'i') setDetailed((d) => !d);
    else if (input === 'v') act('verify');
    else if (input === 'd') act('deep-verify');
    else if (input === 'r') act('restore');
    else if (input === 'x' || key.delete) {
      if (current?.file == null) setMessage('nothing to delete: a failed attempt has no file');
      else setConfirmDelete(true);
    }
  });

  const wide = width >= 100;
  const items = backups.map((b) => ({
    key: b.id,
    label:
      `${cell(b.database, wide ? 28 : 18)} ${cell(formatAge(nowMs - Date.parse(b.startedAt)), 5)} ` +
      `${cell(b.storedBytes === null ? '-' : formatBytes(b.storedBytes), 10)} ${cell(b.status, 9)} ` +
      cell(verifiedOf(b), 8),
    note: wide ? (b.file ?? `failed: ${b.error ?? ''}`) : undefined,
  }));
  const listHeight = Math.max(3, height - (isDetailed ? 16 : 6));
  return (
    <Box flexDirection="column">
      <Text bold>{title}</Text>
      <Text color={tone('dim')} wrap="truncate">
        {`  ${cell('DATABASE', wide ? 28 : 18)} ${cell('AGE', 5)} ${cell('SIZE', 10)} ${cell('STATUS', 9)} ${cell('VERIFIED', 8)}`}
      </Text>
      {outcome === undefined ? <Text color={tone('dim')}>reading the catalog…</Text> : null}
      {outcome !== undefined && outcome.status !== 'ok' ? <OutcomeError outcome={outcome} /> : null}
      {outcome?.status === 'ok' && backups.length === 0 ? (
        <Text color={tone('dim')}>no backups in the catalog yet</Text>
      ) : null}
      <SelectList
        items={items}
        selected={index}
        onMove={setSelected}
        height={listHeight}
        width={width}
      />
      {isDetailed && current !== undefined ? <Details backup={current} /> : null}
      {confirmDelete && current?.file != null ? (
        <Text color={tone('warn')} bold wrap="wrap">
          {`Delete ${current.file} and its manifest? This cannot be undone. (y/n)`}
        </Text>
      ) : null}
      {message === undefined ? null : <Text wrap="wrap">{message}</Text>}
      <KeyHints
        hints={[
          ['Enter', enterAction === 'details' ? 'details' : enterAction],
          ['v', 'verify'],
          ['d', 'deep verify'],
          ['r', 'restore'],
          ['x', 'delete'],
          ['i', 'details'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}

function Details({ backup }: { backup: BrowsedBackup }) {
  const v = backup.verification;
  const rows: [string, string][] = [
    ['file', backup.file ?? '(none: the attempt failed)'],
    [
      'database',
      `${backup.database} (${backup.engine}${backup.host === null ? '' : ` on ${backup.host}`})`,
    ],
    ['started', formatLocalTime(backup.startedAt)],
    ['status', backup.error === null ? backup.status : `${backup.status}: ${backup.error}`],
    ['size', backup.storedBytes === null ? '-' : formatBytes(backup.storedBytes)],
    ['compression', backup.compression ?? '-'],
    ['checksum', backup.checksum === null ? '-' : `sha256 ${backup.checksum}`],
    ['encrypted', backup.encrypted ? 'yes (age)' : 'no'],
    [
      'verified',
      `${verifiedOf(backup)}${v.corrupt === true ? ' (the last check found bad data)' : ''}`,
    ],
  ];
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      {rows.map(([label, value]) => (
        <Text key={label} wrap="truncate-middle">{`${label.padEnd(11)} ${value}`}</Text>
      ))}
    </Box>
  );
}
