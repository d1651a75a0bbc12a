// The age header through the age-encryption package: wrapping and unwrapping the file key.
import { loadAge } from './age-lib.js';
import type { DecryptionKeys, EncryptTo } from './keys.js';

/** A header ready to write and the file key it wraps. */
export interface SealedHeader {
  header: Buffer;
  fileKey: Uint8Array;
}

/** The first line of every age file. */
export const ageMagic = 'age-encryption.org/v1\n';

/** Headers larger than this are refused: a few thousand recipients would still fit. */
export const maxHeaderSize = 1 << 20;

/**
 * Builds a header for a new file. The package makes the file key and wraps it (X25519 or
 * scrypt) and MACs the header; we learn the file key through the documented Recipient
 * interface (recipients) or by unwrapping our own header (passphrase, scrypt runs twice).
 */
export async function createHeader(to: EncryptTo): Promise<SealedHeader> {
  const { Encrypter } = await loadAge();
  const encrypter = new Encrypter();
  let captured: Uint8Array | undefined;
  if (to.kind === 'passphrase') {
    encrypter.setPassphrase(to.passphrase.reveal());
  } else {
    for (const recipient of to.recipients) encrypter.addRecipient(recipient);
    // Adds no stanza: it only sees the random file key the real recipients wrap.
    encrypter.addRecipient({ wrapFileKey: (key) => ((captured = key.slice()), []) });
  }

  // An empty file is header ‖ 16-byte nonce ‖ 16-byte tag of the empty last chunk.
  const empty = Buffer.from(await encrypter.encrypt(new Uint8Array(0)));
  const header = empty.subarray(0, headerLength(empty) ?? 0);
  if (header.length !== empty.length - 32) throw new Error('age header has an unexpected shape');

  if (to.kind === 'passphrase') {
    captured = await unlockHeader(header, { identities: [], passphrases: [to.passphrase] });
  }
  if (captured === undefined) throw new Error('age file key was not captured');
  return { header: Buffer.from(header), fileKey: captured };
}

/** Length of the header at the start of `data` (through the MAC line), or undefined if cut. */
export function headerLength(data: Buffer): number | undefined {
  const mac = data.indexOf('\n--- ');
  if (mac < 0) return undefined;
  const end = data.indexOf('\n', mac + 1);
  return end < 0 ? undefined : end + 1;
}

/** Why a header could not be unlocked. */
export type UnlockFailure = 'no-matching-key' | 'corrupt-header';

/** Thrown by {@link unlockHeader}; callers turn it into a user error with their context. */
export class UnlockError extends Error {
  readonly reason: UnlockFailure;

  constructor(reason: UnlockFailure, cause: unknown) {
    super(reason === 'no-matching-key' ? 'no key matches' : 'header is corrupt', { cause });
    this.name = 'UnlockError';
    this.reason = reason;
  }
}

/** Unwraps the file key with the given keys; checks the header MAC. */
export async function unlockHeader(header: Buffer, keys: DecryptionKeys): Promise<Uint8Array> {
  const { Decrypter } = await loadAge();
  const decrypter = new Decrypter();
  for (const identity of keys.identities) decrypter.addIdentity(identity.secret.reveal());
  for (const passphrase of keys.passphrases) decrypter.addPassphrase(passphrase.reveal());
  try {
    return await decrypter.decryptHeader(header);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    throw new UnlockError(
      /no identity matched/.test(message) ? 'no-matching-key' : 'corrupt-header',
      error,
    );
  }
}
