// The age payload (STREAM of 64 KiB ChaCha20-Poly1305 chunks) with Node's native cipher.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

/** Plaintext bytes per age payload chunk, as the age spec fixes it. */
export const chunkSize = 64 * 1024;
/** Poly1305 tag bytes after each chunk. */
export const tagSize = 16;
/** Bytes of the random payload nonce that follows the header. */
export const payloadNonceSize = 16;

/** The payload key: HKDF-SHA-256(file key, salt = payload nonce, info = "payload"). */
export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** The 12-byte chunk nonce: 11-byte big-endian counter, then 1 for the last chunk. */
function chunkNonce(counter: number, isLast: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  // 2^53 chunks of 64 KiB is far beyond any file; the high bytes stay zero.
  nonce.writeUIntBE(Math.floor(counter / 2 ** 32), 3, 3);
  nonce.writeUInt32BE(counter % 2 ** 32, 7);
  nonce[11] = isLast ? 1 : 0;
  return nonce;
}

/** Seals one chunk: ciphertext then tag. */
export function sealChunk(key: Buffer, counter: number, isLast: boolean, plain: Buffer): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(counter, isLast), {
    authTagLength: tagSize,
  });
  const body = cipher.update(plain);
  cipher.final();
  return Buffer.concat([body, cipher.getAuthTag()]);
}

/**
 * Opens one sealed chunk, or returns undefined when it does not authenticate (modified,
 * truncated, reordered, or a non-final chunk presented as the last one). No plaintext is
 * returned before its tag has been checked.
 */
export function openChunk(
  key: Buffer,
  counter: number,
  isLast: boolean,
  sealed: Buffer,
): Buffer | undefined {
  if (sealed.length < tagSize) return undefined;
  const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonce(counter, isLast), {
    authTagLength: tagSize,
  });
  decipher.setAuthTag(sealed.subarray(sealed.length - tagSize));
  const body = decipher.update(sealed.subarray(0, sealed.length - tagSize));
  try {
    decipher.final();
  } catch {
    return undefined;
  }
  return body;
}
