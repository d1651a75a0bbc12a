// The top line: the engine, host, user and backup directory every job uses.
import { Box, Text } from 'ink';
import type { SettingsView } from '../settings.js';
import { useTone } from '../theme.js';

/** Props of {@link Header}. */
export interface HeaderProps {
  settings: SettingsView | undefined;
  width: number;
}

/** Two lines on a narrow terminal, one on a wide one. */
export function Header({ settings, width }: HeaderProps) {
  const tone = useTone();
  if (settings === undefined) return <Text color={tone('dim')}>dbbackup · loading settings…</Text>;
  const engine = settings.engine === 'postgres' ? 'PostgreSQL' : 'MariaDB/MySQL';
  const host = settings.host || settings.socket || 'local socket';
  const where = `${engine} · ${host}${settings.port === '' ? '' : `:${settings.port}`}`;
  const who = `user ${settings.user || '(default)'}`;
  const dir = `backups ${settings.backupDir}`;
  const isWide = width >= where.length + who.length + dir.length + 20;
  return (
    <Box
      flexDirection="column"
      borderStyle="single"
      borderLeft={false}
      borderRight={false}
      borderTop={false}
    >
      <Text wrap="truncate-middle">
        <Text bold color={tone('accent')}>
          dbbackup
        </Text>
        {` · ${where} · ${who}${isWide ? ` · ${dir}` : ''}`}
      </Text>
      {isWide ? null : <Text wrap="truncate-middle">{dir}</Text>}
    </Box>
  );
}
