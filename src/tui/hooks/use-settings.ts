// The settings in force, loaded again whenever `reload` is called (after a save or an engine
// switch).
import { useCallback, useEffect, useState } from 'react';
import { loadSettings, type SettingsView } from '../settings.js';
import { useSession } from '../session.js';

/** The settings, or the error that stopped them loading (a broken config file). */
export interface SettingsState {
  settings: SettingsView | undefined;
  error: string | undefined;
  reload: () => void;
}

/** Loads the settings for the session's flags. */
export function useSettings(): SettingsState {
  const session = useSession();
  const [settings, setSettings] = useState<SettingsView>();
  const [error, setError] = useState<string>();
  const [round, setRound] = useState(0);
  const key = JSON.stringify(session.flags);

  useEffect(() => {
    let isCurrent = true;
    loadSettings(session.effects, session.flags).then(
      (loaded) => {
        if (!isCurrent) return;
        setSettings(loaded);
        setError(undefined);
      },
      (failure: unknown) => {
        if (isCurrent) setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [key, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { settings, error, reload };
}
