// The settings shown in the header and the settings screen, read with the CLI's own loader.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { FlagValue } from '../cli/create-context.js';
import { parseEngineType } from '../config/engine-type.js';
import { defaultConfigPath, loadConfig, type OptionSource } from '../config/load.js';
import { Secret } from '../config/secret.js';
import type { JobEffects } from './job-runner.js';

/** The resolved values the UI shows, and where a save goes. */
export interface SettingsView {
  engine: 'postgres' | 'mysql';
  /** What the user typed for the engine (`mariadb` and `mysql` are one engine). */
  engineName: string;
  host: string;
  port: string;
  socket: string;
  user: string;
  backupDir: string;
  compression: string;
  /** `yes` or `no`. */
  encrypt: string;
  recipient: string;
  identity: string;
  jobs: string;
  /** Where a password comes from, if any (never the password itself). */
  passwordSource: OptionSource | undefined;
  /** The config file the CLI reads, which a save writes. */
  configPath: string;
  /** Options set on the command line that started the UI: a saved value does not beat them. */
  flagged: string[];
}

/** Loads the options as the CLI would for these flags. */
export async function loadSettings(
  effects: JobEffects,
  flags: Readonly<Record<string, FlagValue>>,
): Promise<SettingsView> {
  const home = effects.home ?? homedir();
  const config = await loadConfig({ flags, env: effects.env, home });
  const text = (key: string) => {
    const value = config.values.get(key);
    if (value === undefined || value instanceof Secret) return '';
    return Array.isArray(value) ? value.join(',') : String(value);
  };
  const engineName = text('db-type') || 'postgres';
  const explicit = flags.config ?? effects.env.DBBACKUP_CONFIG;
  const configPath =
    config.configPath ??
    (typeof explicit === 'string' && explicit !== ''
      ? resolve(explicit)
      : defaultConfigPath(effects.env, home));
  return {
    engine: parseEngineType(engineName).engine,
    engineName,
    host: text('host'),
    port: text('port'),
    socket: text('socket'),
    user: text('user'),
    backupDir: text('backup-dir'),
    compression: text('compression'),
    encrypt: config.values.get('encrypt') === true ? 'yes' : 'no',
    recipient: text('recipient'),
    identity: text('identity'),
    jobs: text('jobs'),
    passwordSource: config.sources.get('password'),
    configPath,
    flagged: [...config.sources].filter(([, source]) => source === 'flag').map(([key]) => key),
  };
}
