// Server status: is the server reachable, do the client tools fit, is the directory writable.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { formatBytes } from '../../events/format.js';
import { useCommand } from '../hooks/use-command.js';
import { requestOf, useSession } from '../session.js';
import { useTone } from '../theme.js';
import { KeyHints } from './KeyHints.js';
import { OutcomeError } from './OutcomeError.js';

/** Props of {@link StatusScreen}. */
export interface StatusScreenProps {
  onBack: () => void;
}

type Data = Record<string, unknown>;

/** The result of `status`, one line per part; r runs it again. */
export function StatusScreen({ onBack }: StatusScreenProps) {
  const session = useSession();
  const tone = useTone();
  const { outcome, reload } = useCommand(requestOf(session, 'status'));
  useKeys((input, key) => {
    if (key.escape || key.return || input === 'q') onBack();
    else if (input === 'r') reload();
  });

  const data = outcome?.data;
  const server = (data?.server ?? {}) as Data;
  const tools = (data?.tools ?? []) as {
    name: string;
    version: string | null;
    fits: boolean;
    note?: string;
  }[];
  const dir = (data?.backupDir ?? {}) as Data;
  const good = (ok: boolean) => (
    <Text color={tone(ok ? 'good' : 'bad')}>{ok ? 'OK  ' : 'FAIL'}</Text>
  );
  return (
    <Box flexDirection="column">
      <Text bold>Server status</Text>
      {outcome === undefined ? <Text color={tone('dim')}>checking…</Text> : null}
      {outcome !== undefined && data === undefined && outcome.status !== 'ok' ? (
        <OutcomeError outcome={outcome} />
      ) : null}
      {data === undefined ? null : (
        <>
          <Text wrap="wrap">
            {good(server.reachable === true)}
            {server.reachable === true
              ? ` server ${String(server.flavour)} ${String(server.version)} at ${String(server.host)}`
              : ` server unreachable: ${String(server.error)}`}
          </Text>
          {tools.map((tool) => (
            <Text key={tool.name} wrap="wrap">
              {good(tool.fits)}
              {` ${tool.name} ${tool.version ?? '-'}${tool.fits ? '' : `: ${tool.note ?? 'does not fit'}`}`}
            </Text>
          ))}
          <Text wrap="wrap">
            {good(dir.writable === true)}
            {dir.writable === true
              ? ` backup dir ${String(dir.path)}: writable, ${formatBytes(Number(dir.freeBytes))} free`
              : ` backup dir ${String(dir.path)}: ${String(dir.error)}`}
          </Text>
        </>
      )}
      <KeyHints
        hints={[
          ['r', 'check again'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}
