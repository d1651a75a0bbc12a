// Reads MySQL option files (~/.my.cnf): the vendor tools read them, the mysql2 driver does not.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { tlsSettings, type TlsSettings } from './tls.js';

/** The settings of one option file, by group, later lines winning within a group. */
export type OptionGroups = Map<string, Map<string, string>>;

/** Connection settings a client reads from its option-file groups. */
export interface ClientDefaults {
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  socket?: string;
  tls?: TlsSettings;
}

/** The groups both mariadb-dump/mysqldump and mariadb/mysql read, in the order they apply. */
export const clientGroups = ['client', 'client-server', 'client-mariadb'] as const;

/** Every group a dump or client tool reads; a password in any of them reaches the tool. */
export const toolGroups = [
  ...clientGroups,
  'mysqldump',
  'mariadb-dump',
  'mysql',
  'mariadb',
  'mariadb-client',
] as const;

/**
 * Parses option-file text: `[group]`, `key`, `key = value`, `#` and `;` comments, values in
 * single or double quotes, and the escapes `\b \t \n \r \\ \s` (also `\"` and `\'` in quotes).
 * `!include` and `!includedir` lines are not followed.
 */
export function parseOptionFile(text: string): OptionGroups {
  const groups: OptionGroups = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('!')) {
      continue;
    }
    const group = /^\[([^\]]+)\]/.exec(line)?.[1];
    if (group !== undefined) {
      const name = group.trim().toLowerCase();
      current = groups.get(name) ?? new Map<string, string>();
      groups.set(name, current);
      continue;
    }
    const [key, value] = splitOption(line);
    current?.set(key, value);
  }
  return groups;
}

function splitOption(line: string): [string, string] {
  const eq = line.indexOf('=');
  const rawKey = eq === -1 ? line : line.slice(0, eq);
  const key = rawKey.trim().toLowerCase().replace(/_/g, '-');
  return [key, eq === -1 ? '' : parseValue(line.slice(eq + 1).trim())];
}

function parseValue(text: string): string {
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    let out = '';
    for (let i = 1; i < text.length; i += 1) {
      const ch = text[i] ?? '';
      if (ch === quote) return out;
      if (ch === '\\' && i + 1 < text.length) {
        i += 1;
        out += unescape(text[i] ?? '');
      } else out += ch;
    }
    return out;
  }
  const comment = text.search(/\s#|^#/);
  const bare = (comment === -1 ? text : text.slice(0, comment)).trimEnd();
  return bare.replace(/\\(.)/g, (_m, ch: string) => unescape(ch));
}

function unescape(ch: string): string {
  const map: Record<string, string> = { b: '\b', t: '\t', n: '\n', r: '\r', s: ' ' };
  return map[ch] ?? ch;
}

/** Merges the client groups of a parsed file into connection settings. */
export function clientDefaults(groups: OptionGroups): ClientDefaults {
  const merged = new Map<string, string>();
  for (const name of clientGroups) {
    for (const [key, value] of groups.get(name) ?? []) merged.set(key, value);
  }
  const port = merged.get('port');
  return {
    user: merged.get('user'),
    password: merged.get('password'),
    host: merged.get('host'),
    port: port === undefined || !/^\d+$/.test(port) ? undefined : Number(port),
    socket: merged.get('socket'),
    tls: tlsSettings(merged),
  };
}

/** The passwords set in any group a tool reads (each one would reach the tool). */
export function toolPasswords(groups: OptionGroups): string[] {
  return toolGroups.flatMap((name) => {
    const password = groups.get(name)?.get('password');
    return password === undefined ? [] : [password];
  });
}

/** Reads `$HOME/.my.cnf`; a missing or unreadable file gives no groups. */
export async function readUserOptionFile(home: string | undefined): Promise<OptionGroups> {
  if (home === undefined || home === '') return new Map();
  try {
    return parseOptionFile(await fs.readFile(join(home, '.my.cnf'), 'utf8'));
  } catch {
    return new Map();
  }
}
