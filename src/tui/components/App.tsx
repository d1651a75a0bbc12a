// The terminal UI: the header, then one screen at a time; every job is a CLI command run
// through the same code, its events drawn as they come.
import { Box, Text, useApp } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useState } from 'react';
import type { FlagValue } from '../../cli/create-context.js';
import { useSettings } from '../hooks/use-settings.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import type { JobEffects, JobRequest } from '../job-runner.js';
import { requestOf, SessionContext, type Session } from '../session.js';
import { ThemeContext, themeFor } from '../theme.js';
import { BackupBrowser, type BrowserAction } from './BackupBrowser.js';
import { DatabasePicker } from './DatabasePicker.js';
import { Header } from './Header.js';
import { Menu, type MenuChoice } from './Menu.js';
import { RestorePreview } from './RestorePreview.js';
import { RunScreen } from './RunScreen.js';
import { SetPicker } from './SetPicker.js';
import { SettingsScreen } from './SettingsScreen.js';
import { StatusScreen } from './StatusScreen.js';
import { useTone } from '../theme.js';

/** Props of {@link App}. */
export interface AppProps {
  effects: JobEffects;
  /** Flags given with `dbbackup interactive`, applied to every job. */
  flags: Readonly<Record<string, FlagValue>>;
  /** The process's SIGINT/SIGTERM signal: running jobs stop with it. */
  signal: AbortSignal;
}

type Screen =
  | { name: 'menu' }
  | { name: 'pick-database' }
  | { name: 'confirm-cluster' }
  | { name: 'browse'; enter: BrowserAction | 'details'; title: string }
  | { name: 'pick-set' }
  | {
      name: 'preview';
      kind: 'single' | 'cluster';
      path: string;
      database?: string;
      engine?: string;
    }
  | { name: 'run'; title: string; request: JobRequest; back: Screen }
  | { name: 'status' }
  | { name: 'settings' };

/** The whole UI. */
export function App({ effects, flags, signal }: AppProps) {
  const [engineFlag, setEngineFlag] = useState<string>();
  const session: Session = {
    effects,
    flags: engineFlag === undefined ? flags : { ...flags, 'db-type': engineFlag },
    signal,
  };
  return (
    <ThemeContext.Provider value={themeFor(effects.env)}>
      <SessionContext.Provider value={session}>
        <Screens session={session} onEngine={setEngineFlag} />
      </SessionContext.Provider>
    </ThemeContext.Provider>
  );
}

function Screens({ session, onEngine }: { session: Session; onEngine: (engine: string) => void }) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const { settings, error, reload } = useSettings();
  const [screen, setScreen] = useState<Screen>({ name: 'menu' });
  const [lastChoice, setLastChoice] = useState<MenuChoice>();
  const tone = useTone();
  const width = Math.max(20, columns - 1);
  const height = Math.max(8, rows - 4);
  const menu = () => setScreen({ name: 'menu' });

  const choose = (choice: MenuChoice) => {
    setLastChoice(choice);
    if (choice === 'quit') exit();
    else if (choice === 'backup-single') setScreen({ name: 'pick-database' });
    else if (choice === 'backup-cluster') setScreen({ name: 'confirm-cluster' });
    else if (choice === 'restore-single')
      setScreen({ name: 'browse', enter: 'restore', title: 'Restore one database: pick a backup' });
    else if (choice === 'restore-cluster') setScreen({ name: 'pick-set' });
    else if (choice === 'verify')
      setScreen({ name: 'browse', enter: 'verify', title: 'Verify a backup: pick one' });
    else if (choice === 'browse') setScreen({ name: 'browse', enter: 'details', title: 'Backups' });
    else if (choice === 'status') setScreen({ name: 'status' });
    else setScreen({ name: 'settings' });
  };
  const run = (title: string, request: JobRequest, back: Screen = { name: 'menu' }) =>
    setScreen({ name: 'run', title, request, back });

  const onBrowserAction =
    (from: Screen) => (action: BrowserAction, path: string, database: string, engine: string) => {
      if (action === 'restore')
        setScreen({ name: 'preview', kind: 'single', path, database, engine });
      else if (action === 'verify')
        run(`Verify ${database}`, requestOf(session, 'verify', [path]), from);
      else
        run(`Deep verify ${database}`, requestOf(session, 'verify', [path], { deep: true }), from);
    };

  const body = (() => {
    switch (screen.name) {
      case 'menu':
        return <Menu onChoose={choose} width={width} height={height} initial={lastChoice} />;
      case 'pick-database':
        return (
          <DatabasePicker
            title="Back up one database"
            engine={settings?.engine ?? 'postgres'}
            onPick={(database) =>
              run(`Back up '${database}'`, requestOf(session, 'backup single', [database]))
            }
            onSwitchEngine={() => {
              onEngine(settings?.engine === 'mysql' ? 'postgres' : 'mariadb');
            }}
            onBack={menu}
            width={width}
            height={height}
          />
        );
      case 'confirm-cluster':
        return (
          <ConfirmCluster
            onYes={() => run('Back up the whole server', requestOf(session, 'backup cluster'))}
            onNo={menu}
          />
        );
      case 'browse':
        return (
          <BackupBrowser
            key={screen.enter}
            title={screen.title}
            enterAction={screen.enter}
            backupDir={settings?.backupDir ?? '.'}
            onAction={(action, path, backup) =>
              onBrowserAction(screen)(action, path, backup.database, backup.engine)
            }
            onBack={menu}
            width={width}
            height={height}
          />
        );
      case 'pick-set':
        return (
          <SetPicker
            onPick={(path) => setScreen({ name: 'preview', kind: 'cluster', path })}
            onBack={menu}
            width={width}
            height={height}
          />
        );
      case 'preview':
        return (
          <RestorePreview
            kind={screen.kind}
            path={screen.path}
            database={screen.database}
            engine={screen.engine}
            onRun={(request, title) => run(title, request)}
            onBack={menu}
            width={width}
          />
        );
      case 'run':
        return (
          <RunScreen
            title={screen.title}
            request={screen.request}
            onDone={() => setScreen(screen.back)}
            width={width}
            height={height}
          />
        );
      case 'status':
        return <StatusScreen onBack={menu} />;
      case 'settings':
        return settings === undefined ? (
          <Text>loading settings…</Text>
        ) : (
          <SettingsScreen settings={settings} onSaved={reload} onBack={menu} width={width} />
        );
    }
  })();

  return (
    // Never taller than the terminal: a frame that scrolled could not be erased on redraw.
    <Box flexDirection="column" width={columns} height={Math.max(1, rows - 1)} overflow="hidden">
      <Header settings={settings} width={width} />
      {error === undefined ? null : (
        <Text color={tone('bad')} wrap="wrap">{`settings: ${error}`}</Text>
      )}
      {body}
    </Box>
  );
}

function ConfirmCluster({ onYes, onNo }: { onYes: () => void; onNo: () => void }) {
  useKeys((input, key) => {
    if (input === 'y' || input === 'Y') onYes();
    else if (input === 'n' || input === 'N' || key.escape) onNo();
  });
  return (
    <Box flexDirection="column">
      <Text bold>Back up the whole server</Text>
      <Text wrap="wrap">
        Every database and the server-wide objects (roles, grants) go into one set. Start? (y/n)
      </Text>
    </Box>
  );
}
