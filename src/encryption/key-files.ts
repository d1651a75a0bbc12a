// Loads encryption and decryption keys from the option values: files, environment, config.
import * as fs from 'node:fs/promises';
import { Secret } from '../config/secret.js';
import { ExitCode, UserError, fileError } from '../errors.js';
import {
  parseIdentityFile,
  parseRecipient,
  parseRecipientsFile,
  type DecryptionKeys,
  type EncryptTo,
} from './keys.js';

/** Option values that say how to encrypt a backup. */
export interface EncryptOptions {
  encrypt: boolean;
  recipients: readonly string[];
  recipientsFile: string | undefined;
  passphrase: Secret | undefined;
  passphraseFile: string | undefined;
}

/** What to encrypt to, or undefined without `--encrypt`; recipients win over a passphrase. */
export async function loadEncryptTo(options: EncryptOptions): Promise<EncryptTo | undefined> {
  const recipients: string[] = [];
  for (const r of options.recipients) recipients.push(await parseRecipient(r, '--recipient'));
  if (options.recipientsFile !== undefined) {
    const text = await readKeyFile(options.recipientsFile, 'recipients file', false);
    recipients.push(...(await parseRecipientsFile(text, options.recipientsFile)));
  }

  if (!options.encrypt) {
    if (recipients.length === 0) return undefined;
    throw new UserError('recipients are set but encryption is off', {
      code: ExitCode.usage,
      hint: 'Add --encrypt (or "encrypt": true in the config file) to encrypt to them.',
    });
  }
  if (recipients.length > 0) return { kind: 'recipients', recipients: [...new Set(recipients)] };

  const passphrase = await loadPassphrase(options);
  if (passphrase !== undefined) return { kind: 'passphrase', passphrase };
  throw new UserError('--encrypt needs a recipient or a passphrase', {
    code: ExitCode.usage,
    hint: 'Pass --recipient age1… (see `dbbackup key generate`), --recipients-file FILE, or set DBBACKUP_PASSPHRASE.',
  });
}

/** Option values that name keys to decrypt with. */
export interface DecryptOptions {
  identityFiles: readonly string[];
  passphrase: Secret | undefined;
  passphraseFile: string | undefined;
}

/** Every identity and passphrase given; none at all is allowed (unencrypted backups). */
export async function loadDecryptionKeys(options: DecryptOptions): Promise<DecryptionKeys> {
  const identities = [];
  for (const path of options.identityFiles) {
    identities.push(
      ...(await parseIdentityFile(await readKeyFile(path, 'identity file', true), path)),
    );
  }
  const passphrase = await loadPassphrase(options);
  return { identities, passphrases: passphrase === undefined ? [] : [passphrase] };
}

async function loadPassphrase(options: {
  passphrase: Secret | undefined;
  passphraseFile: string | undefined;
}): Promise<Secret | undefined> {
  if (options.passphraseFile !== undefined) {
    const text = await readKeyFile(options.passphraseFile, 'passphrase file', true);
    const first = text.split(/\r?\n/)[0] ?? '';
    if (first === '') throw emptyPassphrase(`passphrase file '${options.passphraseFile}'`);
    return new Secret(first);
  }
  if (options.passphrase !== undefined && options.passphrase.reveal() === '') {
    throw emptyPassphrase('DBBACKUP_PASSPHRASE');
  }
  return options.passphrase;
}

function emptyPassphrase(where: string): UserError {
  return new UserError(`the passphrase in ${where} is empty`, {
    code: ExitCode.usage,
    hint: 'Use a long random passphrase, for example 5 random words.',
  });
}

/** Reads a key file; a secret one must be private to its owner, as the config file is. */
async function readKeyFile(path: string, what: string, isSecret: boolean): Promise<string> {
  const text = await fs.readFile(path, 'utf8').catch((error: unknown) => {
    throw fileError(`read ${what}`, path, error);
  });
  if (isSecret) {
    const info = await fs.stat(path);
    const foreign = process.getuid !== undefined && info.uid !== process.getuid();
    if ((info.mode & 0o077) !== 0 || foreign) {
      const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
      throw new UserError(`${what} '${path}' has mode ${mode}: others may read the secret in it`, {
        code: ExitCode.config,
        hint: `Make it private to its owner: chmod 600 '${path}'.`,
      });
    }
  }
  return text;
}
