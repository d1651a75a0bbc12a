// age keys: recipients to encrypt to, identities and passphrases to decrypt with, fingerprints.
import { createHash } from 'node:crypto';
import { Secret } from '../config/secret.js';
import { ExitCode, UserError } from '../errors.js';
import { loadAge } from './age-lib.js';
import type { EncryptionInfo } from '../manifest/manifest.js';

/** What a backup is encrypted to: X25519 recipients (public keys) or one passphrase. */
export type EncryptTo =
  | { kind: 'recipients'; recipients: readonly string[] }
  | { kind: 'passphrase'; passphrase: Secret };

/** An X25519 secret key and the public recipient it belongs to. */
export interface AgeIdentity {
  secret: Secret;
  recipient: string;
  /** The file it was read from, for messages. */
  source: string;
}

/** Everything a decryption may try: identities first, then passphrases. */
export interface DecryptionKeys {
  identities: readonly AgeIdentity[];
  passphrases: readonly Secret[];
}

/** No keys at all: an encrypted backup can then only be checked by size and checksum. */
export const noKeys: DecryptionKeys = { identities: [], passphrases: [] };

/** Tells whether any key was given. */
export function hasKeys(keys: DecryptionKeys): boolean {
  return keys.identities.length > 0 || keys.passphrases.length > 0;
}

/** A short, stable fingerprint of a recipient: the first 16 hex digits of its SHA-256. */
export function fingerprintOf(recipient: string): string {
  return createHash('sha256').update(recipient).digest('hex').slice(0, 16);
}

/** Checks one `age1…` X25519 recipient; anything else is a usage error. */
export async function parseRecipient(text: string, where: string): Promise<string> {
  const recipient = text.trim();
  // Post-quantum and tag recipients exist, but Debian's age 1.1 cannot decrypt them.
  const valid =
    /^age1[02-9ac-hj-np-z]+$/.test(recipient) &&
    !/^age1(pq|tag)/.test(recipient) &&
    (await isValid(recipient));
  if (!valid) {
    throw new UserError(`invalid age recipient '${recipient}' in ${where}`, {
      code: ExitCode.usage,
      hint: 'A recipient is an X25519 public key starting with age1, as `dbbackup key generate` prints.',
    });
  }
  return recipient;
}

async function isValid(recipient: string): Promise<boolean> {
  const { Encrypter } = await loadAge();
  try {
    new Encrypter().addRecipient(recipient);
    return true;
  } catch {
    return false;
  }
}

/** Reads a recipients file as age does: one recipient a line, `#` comments and blank lines. */
export async function parseRecipientsFile(text: string, path: string): Promise<string[]> {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const recipients: string[] = [];
  for (const line of lines)
    recipients.push(await parseRecipient(line, `recipients file '${path}'`));
  if (recipients.length === 0) {
    throw new UserError(`recipients file '${path}' holds no recipient`, {
      code: ExitCode.usage,
      hint: 'Put one age1… public key on a line; `dbbackup key generate` prints one.',
    });
  }
  return recipients;
}

/** Reads an identity file as age-keygen writes it: `AGE-SECRET-KEY-1…` lines, `#` comments. */
export async function parseIdentityFile(text: string, path: string): Promise<AgeIdentity[]> {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const identities: AgeIdentity[] = [];
  for (const line of lines) {
    const recipient = line.startsWith('AGE-SECRET-KEY-1') ? await recipientOf(line) : undefined;
    if (recipient === undefined) {
      throw new UserError(`identity file '${path}' holds a line that is not an age X25519 key`, {
        code: ExitCode.config,
        hint: 'Pass a file written by `dbbackup key generate` or `age-keygen`.',
      });
    }
    identities.push({ secret: new Secret(line), recipient, source: path });
  }
  if (identities.length === 0) {
    throw new UserError(`identity file '${path}' holds no key`, {
      code: ExitCode.config,
      hint: 'Pass a file written by `dbbackup key generate` or `age-keygen`.',
    });
  }
  return identities;
}

async function recipientOf(identity: string): Promise<string | undefined> {
  const { identityToRecipient } = await loadAge();
  try {
    return await identityToRecipient(identity);
  } catch {
    return undefined;
  }
}

/** The manifest's record of how a backup is encrypted: never a secret. */
export function encryptionInfoOf(to: EncryptTo): EncryptionInfo {
  if (to.kind === 'passphrase') return { format: 'age', recipients: [], passphrase: true };
  return {
    format: 'age',
    recipients: to.recipients.map((recipient) => ({
      type: 'x25519' as const,
      recipient,
      fingerprint: fingerprintOf(recipient),
    })),
    passphrase: false,
  };
}

/** Names the key a backup needs, for messages: its recipients or "a passphrase". */
export function describeNeededKey(info: EncryptionInfo): string {
  if (info.passphrase) return 'a passphrase';
  if (info.recipients.length === 0) return 'an age key (not recorded: the backup has no manifest)';
  const list = info.recipients.map((r) => `${r.recipient} (fingerprint ${r.fingerprint})`);
  return list.length === 1 ? `recipient ${list[0]}` : `one of the recipients ${list.join(', ')}`;
}
