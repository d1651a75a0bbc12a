// Resolves every option from flags, then environment, then config file, then defaults.
import * as fs from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { parseConfigObject } from './config-json.js';
import { parseConnectionUrl, urlHasPassword } from './connection-url.js';
import { applyUrl, engineOf, withUrlEngine, type FoundUrl } from './url-merge.js';
import { parseEngineType } from './engine-type.js';
import { optionSpecs, specOf, type EnvScope, type OptionSpec } from './options.js';
import { Secret } from './secret.js';

/** A resolved option value. */
export type OptionValue = string | number | boolean | readonly string[] | Secret;

/** Where a value came from, as `config show` prints it. */
export type OptionSource = 'flag' | `env ${string}` | `file ${string}` | 'default';

/** The effective options of one run. */
export interface ResolvedConfig {
  values: ReadonlyMap<string, OptionValue>;
  sources: ReadonlyMap<string, OptionSource>;
  /** The config file that was read, if any. */
  configPath: string | undefined;
}

/** Inputs of {@link loadConfig}: everything it reads is passed in. */
export interface LoadConfigInput {
  /** Options given on the command line, by key; only those the user typed. */
  flags: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;
  env: NodeJS.ProcessEnv;
  home?: string;
}

interface ConfigFile {
  path: string;
  values: Record<string, unknown>;
}

/** Loads the config file and merges all sources. */
export async function loadConfig({ flags, env, home = homedir() }: LoadConfigInput) {
  const file = await readConfigFile(flags, env, home);
  const url = readUrl({ flags, env, file, scope: 'any' });
  const engineFound = pick(specOf('db-type'), { flags, env, file, scope: 'any' });
  const engineText = engineOf(engineFound, url);
  const scope: EnvScope = parseEngineType(engineText).engine;

  const values = new Map<string, OptionValue>();
  const sources = new Map<string, OptionSource>();
  for (const spec of optionSpecs) {
    const found =
      spec.key === 'db-type'
        ? withUrlEngine(engineFound, url)
        : pick(spec, { flags, env, file, scope });
    if (found === undefined) continue;
    const value = spec.secret === true ? new Secret(String(found.value)) : found.value;
    values.set(spec.key, expandHome(spec, value, home));
    sources.set(spec.key, found.source);
  }
  if (url !== undefined) applyUrl(url, values, sources);
  for (const key of ['password', 'passphrase']) assertUsable(key, values, sources);
  return { values, sources, configPath: file?.path } satisfies ResolvedConfig;
}

/** A secret no tool can be handed (a NUL ends C strings and environment entries) is refused. */
function assertUsable(
  key: string,
  values: ReadonlyMap<string, OptionValue>,
  sources: ReadonlyMap<string, OptionSource>,
): void {
  const value = values.get(key);
  if (!(value instanceof Secret) || !value.reveal().includes('\0')) return;
  throw new UserError(`the ${key} (${sources.get(key) ?? 'set'}) contains a NUL byte`, {
    code: ExitCode.config,
    hint: `No client tool can be given a ${key} with a NUL byte; check how it was written.`,
  });
}

function readUrl(input: PickInput): FoundUrl | undefined {
  const found = pick(specOf('url'), input);
  if (found === undefined) return undefined;
  const where = found.source.startsWith('env ')
    ? `environment variable ${found.source.slice(4)}`
    : `config file '${found.source.slice(5)}'`;
  return { parts: parseConnectionUrl(String(found.value), where), source: found.source };
}

interface PickInput {
  flags: LoadConfigInput['flags'];
  env: NodeJS.ProcessEnv;
  file: ConfigFile | undefined;
  scope: EnvScope;
}

function pick(spec: OptionSpec, { flags, env, file, scope }: PickInput) {
  const flag = spec.secret === true ? undefined : flags[spec.key];
  if (flag !== undefined) return { value: flag, source: 'flag' as OptionSource };

  for (const name of envNames(spec, scope)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    return {
      value: convert(spec, text, `environment variable ${name}`),
      source: `env ${name}` as const,
    };
  }

  const fromFile = file?.values[spec.key];
  if (file !== undefined && fromFile !== undefined) {
    return { value: checkType(spec, fromFile, file.path), source: `file ${file.path}` as const };
  }
  return spec.default === undefined
    ? undefined
    : { value: spec.default, source: 'default' as const };
}

function envNames(spec: OptionSpec, scope: EnvScope): string[] {
  const names: string[] = [];
  if (spec.env?.any !== undefined) names.push(spec.env.any);
  if (scope !== 'any' && spec.env?.[scope] !== undefined) names.push(spec.env[scope]);
  return names;
}

function convert(spec: OptionSpec, text: string, where: string): Exclude<OptionValue, Secret> {
  if (spec.type === 'string') return text;
  if (spec.type === 'list') return text.split(/[\s,]+/).filter((item) => item !== '');
  if (spec.type === 'number') {
    const n = Number(text);
    if (Number.isInteger(n) && n >= 0) return n;
  } else if (['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'].includes(text.toLowerCase())) {
    return ['1', 'true', 'yes', 'on'].includes(text.toLowerCase());
  }
  throw new UserError(`invalid value '${text}' for ${spec.key} in ${where}`, {
    code: ExitCode.config,
    hint: `${spec.key} takes a ${spec.type === 'number' ? 'whole number' : spec.type}.`,
  });
}

function checkType(spec: OptionSpec, value: unknown, path: string): Exclude<OptionValue, Secret> {
  if (typeof value === spec.type) return value as string | number | boolean;
  if (spec.type === 'list' && typeof value === 'string') return [value];
  if (spec.type === 'list' && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value;
  }
  const kind = spec.type === 'list' ? 'string or a list of strings' : spec.type;
  throw new UserError(`option '${spec.key}' in '${path}' must be a ${kind}`, {
    code: ExitCode.config,
    hint: 'Fix the value in the config file (see README, "Configuration").',
  });
}

const pathOptions = [
  'backup-dir',
  'workdir',
  'config',
  'socket',
  'recipients-file',
  'passphrase-file',
  'identity',
  'output',
];

function expandHome(spec: OptionSpec, value: OptionValue, home: string): OptionValue {
  if (!pathOptions.includes(spec.key)) return value;
  const expand = (path: string) => resolve(path === '~' ? home : path.replace(/^~\//, `${home}/`));
  if (typeof value === 'string') return expand(value);
  return Array.isArray(value) ? value.map(expand) : value;
}

/** The config file's default location. */
export function defaultConfigPath(env: NodeJS.ProcessEnv, home: string): string {
  const base = env.XDG_CONFIG_HOME ?? join(home, '.config');
  return join(base, 'dbbackup', 'config.json');
}

async function readConfigFile(
  flags: LoadConfigInput['flags'],
  env: NodeJS.ProcessEnv,
  home: string,
): Promise<ConfigFile | undefined> {
  const explicit = flags.config ?? env.DBBACKUP_CONFIG;
  const path = resolve(
    typeof explicit === 'string'
      ? explicit.replace(/^~\//, `${home}/`)
      : defaultConfigPath(env, home),
  );

  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && explicit === undefined)
      return undefined;
    throw new UserError(`unable to read config file '${path}': ${(error as Error).message}`, {
      code: ExitCode.config,
      hint: 'Check the path given with --config or DBBACKUP_CONFIG.',
      cause: error,
    });
  }

  const values = parseConfigText(text, path);
  const secret = ['password', 'passphrase'].find((key) => values[key] !== undefined);
  if (secret !== undefined) await assertPrivate(path, secret);
  else if (typeof values.url === 'string' && urlHasPassword(values.url)) {
    await assertPrivate(path, 'password (in its url)');
  }
  return { path, values };
}

function parseConfigText(text: string, path: string): Record<string, unknown> {
  const parsed = parseConfigObject(text, path);
  const known = new Set(optionSpecs.map((s) => s.key));
  const unknown = Object.keys(parsed).filter((key) => !known.has(key) || key === 'config');
  if (unknown.length > 0) {
    throw new UserError(`config file '${path}' has unknown option(s) ${unknown.join(', ')}`, {
      code: ExitCode.config,
      hint: '`dbbackup config show` lists the options a config file may set.',
    });
  }
  return parsed;
}

async function assertPrivate(path: string, secret: string): Promise<void> {
  const info = await fs.stat(path);
  if (
    (info.mode & 0o077) !== 0 ||
    (process.getuid !== undefined && info.uid !== process.getuid())
  ) {
    const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
    throw new UserError(`config file '${path}' holds a ${secret} but has mode ${mode}`, {
      code: ExitCode.config,
      hint: `Make it private to its owner: chmod 600 '${path}'.`,
    });
  }
}
