// Reads the encryption options of a command into keys: what to encrypt to, what to decrypt with.
import { loadDecryptionKeys, loadEncryptTo } from '../encryption/key-files.js';
import type { DecryptionKeys, EncryptTo } from '../encryption/keys.js';
import {
  flagOption,
  listOption,
  secretOption,
  stringOption,
  type CommandContext,
} from './context.js';

/** The encryption a backup command asks for, or undefined without `--encrypt`. */
export function encryptionOf(ctx: CommandContext): Promise<EncryptTo | undefined> {
  return loadEncryptTo({
    encrypt: flagOption(ctx, 'encrypt'),
    recipients: listOption(ctx, 'recipient'),
    recipientsFile: stringOption(ctx, 'recipients-file'),
    passphrase: secretOption(ctx, 'passphrase'),
    passphraseFile: stringOption(ctx, 'passphrase-file'),
  });
}

/** The identities and passphrase a restore or verify may decrypt with (possibly none). */
export function decryptionKeysOf(ctx: CommandContext): Promise<DecryptionKeys> {
  return loadDecryptionKeys({
    identityFiles: listOption(ctx, 'identity'),
    passphrase: secretOption(ctx, 'passphrase'),
    passphraseFile: stringOption(ctx, 'passphrase-file'),
  });
}
