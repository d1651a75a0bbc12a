// Finds the file key of an encrypted backup, with messages that name the key it needs.
import {
  ageMagic,
  headerLength,
  maxHeaderSize,
  unlockHeader,
  UnlockError,
} from '../encryption/age-header.js';
import { describeNeededKey, hasKeys, type DecryptionKeys } from '../encryption/keys.js';
import { ExitCode, UserError } from '../errors.js';
import { isEncrypted, type EncryptionInfo, type Manifest } from '../manifest/manifest.js';
import type { StorageTarget } from '../storage/storage.js';

/** Options of {@link BackupUnlocker}. */
export interface UnlockerOptions {
  name: string;
  info: EncryptionInfo;
  keys: DecryptionKeys;
}

/** Unlocks one backup's header; remembers the result, so scrypt runs once per header. */
export class BackupUnlocker {
  readonly #options: UnlockerOptions;
  readonly #known = new Map<string, Promise<Uint8Array>>();

  constructor(options: UnlockerOptions) {
    this.#options = options;
  }

  /** The file key of a header; rejects with 77 (no or wrong key) or 65 (corrupt header). */
  readonly unlock = (header: Buffer): Promise<Uint8Array> => {
    const id = header.toString('base64');
    let found = this.#known.get(id);
    if (found === undefined) {
      found = this.#unlockOnce(header);
      this.#known.set(id, found);
    }
    return found;
  };

  /** Reads the header of the stored file and unlocks it, before any data is streamed. */
  async check(storage: StorageTarget): Promise<void> {
    await this.unlock(await readHeader(storage, this.#options.name));
  }

  async #unlockOnce(header: Buffer): Promise<Uint8Array> {
    const { name, info, keys } = this.#options;
    if (!hasKeys(keys)) throw missingKeyError(name, info);
    try {
      return await unlockHeader(header, keys);
    } catch (error) {
      if (!(error instanceof UnlockError)) throw error;
      const ours = keys.identities.some((id) =>
        info.recipients.some((r) => r.recipient === id.recipient),
      );
      if (error.reason === 'corrupt-header' || ours) throw corruptHeaderError(name, error);
      throw wrongKeyError(this.#options);
    }
  }
}

/** The error for an encrypted backup read without any key. */
export function missingKeyError(name: string, info: EncryptionInfo): UserError {
  return new UserError(
    `backup '${name}' is encrypted to ${describeNeededKey(info)}; no key was given`,
    {
      code: ExitCode.noPermission,
      hint: keyHint(info),
    },
  );
}

function wrongKeyError({ name, info, keys }: UnlockerOptions): UserError {
  const tried = [
    ...keys.identities.map((id) => `identity '${id.source}' (${id.recipient})`),
    ...(keys.passphrases.length > 0 ? ['the passphrase'] : []),
  ];
  return new UserError(
    `no key given can decrypt backup '${name}': it needs ${describeNeededKey(info)}, tried ${tried.join(', ')}`,
    { code: ExitCode.noPermission, hint: keyHint(info) },
  );
}

function keyHint(info: EncryptionInfo): string {
  return info.passphrase
    ? 'Set DBBACKUP_PASSPHRASE or pass --passphrase-file FILE with the passphrase of the backup.'
    : 'Pass --identity FILE holding that secret key; `age-keygen -y FILE` prints the recipient of a key file.';
}

function corruptHeaderError(name: string, cause: unknown): UserError {
  return new UserError(`backup '${name}' has a damaged age header`, {
    code: ExitCode.data,
    hint: 'The file was changed or cut short; restore from another backup.',
    cause,
  });
}

/** Reads the age header at the start of a stored file; a file without one fails with 65. */
export async function readHeader(storage: StorageTarget, name: string): Promise<Buffer> {
  const stream = storage.open(name);
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      head = Buffer.concat([head, chunk as Buffer]);
      const length = headerLength(head);
      if (length !== undefined) return head.subarray(0, length);
      if (head.length > maxHeaderSize) break;
    }
  } finally {
    stream.destroy();
  }
  const why =
    head.toString('latin1', 0, ageMagic.length) === ageMagic ? 'is cut short' : 'is missing';
  throw new UserError(`backup '${name}' is marked encrypted but its age header ${why}`, {
    code: ExitCode.data,
    hint: 'The file was changed or cut short; restore from another backup.',
  });
}

/** The unlocker of a backup, or undefined when it is not encrypted or no key was given. */
export function unlockerOf(
  name: string,
  manifest: Manifest,
  keys: DecryptionKeys,
): BackupUnlocker | undefined {
  if (!isEncrypted(manifest) || !hasKeys(keys)) return undefined;
  return new BackupUnlocker({ name, info: manifest.encryption, keys });
}
