// The fields of the settings screen and how their text becomes config-file values.
import type { SavedValue } from '../config/save.js';
import type { SettingsView } from './settings.js';

/** One editable field: its config key, label and current text. */
export interface SettingsField {
  key: string;
  label: string;
  kind: 'text' | 'number' | 'list' | 'flag' | 'secret';
}

/** The fields, in screen order. */
export const settingsFields: readonly SettingsField[] = [
  { key: 'db-type', label: 'engine (postgres, mariadb, mysql)', kind: 'text' },
  { key: 'host', label: 'host', kind: 'text' },
  { key: 'port', label: 'port', kind: 'number' },
  { key: 'socket', label: 'socket', kind: 'text' },
  { key: 'user', label: 'user', kind: 'text' },
  { key: 'backup-dir', label: 'backup directory', kind: 'text' },
  { key: 'compression', label: 'compression (auto, zstd[:N], gzip[:N], none)', kind: 'text' },
  { key: 'encrypt', label: 'encrypt backups (yes, no)', kind: 'flag' },
  { key: 'recipient', label: 'encryption recipient (age1…, comma-separated)', kind: 'list' },
  { key: 'identity', label: 'decryption identity files (comma-separated)', kind: 'list' },
  { key: 'jobs', label: 'jobs', kind: 'number' },
  { key: 'password', label: 'password (stored only if you confirm)', kind: 'secret' },
];

/** The texts the fields start with. */
export function draftOf(settings: SettingsView): Record<string, string> {
  return {
    'db-type': settings.engineName,
    host: settings.host,
    port: settings.port,
    socket: settings.socket,
    user: settings.user,
    'backup-dir': settings.backupDir,
    compression: settings.compression,
    encrypt: settings.encrypt,
    recipient: settings.recipient,
    identity: settings.identity,
    jobs: settings.jobs,
    password: '',
  };
}

/** The changed fields as config values (an emptied field is removed); throws on a bad number. */
export function changesOf(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): Record<string, SavedValue> {
  const changes: Record<string, SavedValue> = {};
  for (const field of settingsFields) {
    const text = (after[field.key] ?? '').trim();
    if (field.kind === 'secret') {
      if (text !== '') changes[field.key] = text;
      continue;
    }
    if (text === (before[field.key] ?? '').trim()) continue;
    if (text === '') changes[field.key] = null;
    else if (field.kind === 'number') {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${field.label} must be a whole number`);
      changes[field.key] = n;
    } else if (field.kind === 'flag') {
      if (!['yes', 'no'].includes(text)) throw new Error(`${field.label}: type yes or no`);
      changes[field.key] = text === 'yes';
    } else if (field.kind === 'list') {
      changes[field.key] = text.split(/[\s,]+/).filter((item) => item !== '');
    } else changes[field.key] = text;
  }
  // Recipients without `encrypt` make every backup fail: a recipient typed here turns it on.
  const recipient = changes.recipient;
  if (Array.isArray(recipient) && recipient.length > 0 && (after.encrypt ?? '').trim() !== 'yes') {
    changes.encrypt = true;
  }
  return changes;
}
