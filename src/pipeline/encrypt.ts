// Encryption and decryption stages in the age format: header, nonce, then sealed 64 KiB chunks.
import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import {
  ageMagic,
  headerLength,
  maxHeaderSize,
  type SealedHeader,
} from '../encryption/age-header.js';
import {
  chunkSize,
  openChunk,
  payloadKey,
  payloadNonceSize,
  sealChunk,
  tagSize,
} from '../encryption/age-stream.js';
import { ExitCode, UserError } from '../errors.js';
import type { Stage } from './tool-stage.js';
import { endOf } from './stream-end.js';

/** A stage that encrypts its input to the file key of a prepared header. */
export function createEncryptStage(sealed: SealedHeader): Stage {
  return transformStage(new AgeEncryptStream(sealed));
}

/** Finds the file key of a header; rejects with a user error (wrong key 77, corrupt 65). */
export type Unlock = (header: Buffer) => Promise<Uint8Array>;

/** A stage that decrypts an age file; any modified or missing byte fails it with 65. */
export function createDecryptStage(unlock: Unlock): Stage {
  return transformStage(new AgeDecryptStream(unlock));
}

class AgeEncryptStream extends Transform {
  readonly #sealed: SealedHeader;
  readonly #plain = Buffer.allocUnsafe(chunkSize);
  #key: Buffer | undefined;
  #used = 0;
  #counter = 0;

  constructor(sealed: SealedHeader) {
    super({ highWaterMark: 1 << 20 });
    this.#sealed = sealed;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const key = this.#start();
    let rest = chunk;
    while (rest.length > 0) {
      // A full chunk is sealed only once more data shows it is not the last one.
      if (this.#used === chunkSize) {
        this.push(sealChunk(key, this.#counter, false, this.#plain));
        this.#counter += 1;
        this.#used = 0;
      }
      const n = Math.min(chunkSize - this.#used, rest.length);
      rest.copy(this.#plain, this.#used, 0, n);
      this.#used += n;
      rest = rest.subarray(n);
    }
    done();
  }

  override _flush(done: () => void): void {
    const key = this.#start();
    this.push(sealChunk(key, this.#counter, true, this.#plain.subarray(0, this.#used)));
    done();
  }

  #start(): Buffer {
    if (this.#key !== undefined) return this.#key;
    const nonce = randomBytes(payloadNonceSize);
    this.#key = payloadKey(this.#sealed.fileKey, nonce);
    this.push(Buffer.concat([this.#sealed.header, nonce]));
    return this.#key;
  }
}

class AgeDecryptStream extends Transform {
  readonly #unlock: Unlock;
  readonly #sealed = Buffer.allocUnsafe(chunkSize + tagSize);
  #head: Buffer = Buffer.alloc(0);
  #key: Buffer | undefined;
  #used = 0;
  #counter = 0;

  constructor(unlock: Unlock) {
    super({ highWaterMark: 1 << 20 });
    this.#unlock = unlock;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error) => void): void {
    this.#consume(chunk).then(
      () => done(),
      (error: unknown) => done(error as Error),
    );
  }

  override _flush(done: (e?: Error) => void): void {
    if (this.#key === undefined) {
      done(corrupt('the file ends inside its age header'));
      return;
    }
    const plain = openChunk(this.#key, this.#counter, true, this.#sealed.subarray(0, this.#used));
    // Only an empty file may end in an empty chunk; otherwise the real last chunk is missing.
    if (plain === undefined || (plain.length === 0 && this.#counter > 0)) {
      done(corrupt(`chunk ${this.#counter} does not authenticate as the last one`));
      return;
    }
    this.push(plain);
    done();
  }

  async #consume(chunk: Buffer): Promise<void> {
    let rest = this.#key === undefined ? await this.#readHeader(chunk) : chunk;
    const key = this.#key;
    if (key === undefined) return;

    while (rest.length > 0) {
      if (this.#used === this.#sealed.length) {
        const plain = openChunk(key, this.#counter, false, this.#sealed);
        if (plain === undefined) throw corrupt(`chunk ${this.#counter} does not authenticate`);
        this.push(plain);
        this.#counter += 1;
        this.#used = 0;
      }
      const n = Math.min(this.#sealed.length - this.#used, rest.length);
      rest.copy(this.#sealed, this.#used, 0, n);
      this.#used += n;
      rest = rest.subarray(n);
    }
  }

  /** Collects the header and nonce; returns the payload bytes that came with them. */
  async #readHeader(chunk: Buffer): Promise<Buffer> {
    this.#head = Buffer.concat([this.#head, chunk]);
    const magic = Math.min(this.#head.length, ageMagic.length);
    if (this.#head.toString('latin1', 0, magic) !== ageMagic.slice(0, magic)) {
      throw corrupt('it does not start with an age header');
    }
    const length = headerLength(this.#head);
    if (length === undefined) {
      if (this.#head.length > maxHeaderSize) throw corrupt('its age header has no end');
      return Buffer.alloc(0);
    }
    if (this.#head.length < length + payloadNonceSize) return Buffer.alloc(0);

    const fileKey = await this.#unlock(this.#head.subarray(0, length));
    this.#key = payloadKey(fileKey, this.#head.subarray(length, length + payloadNonceSize));
    const rest = this.#head.subarray(length + payloadNonceSize);
    this.#head = Buffer.alloc(0);
    return rest;
  }
}

function corrupt(why: string): UserError {
  return new UserError(`encrypted data is corrupt or truncated: ${why}`, {
    code: ExitCode.data,
    hint: 'The backup file was changed or cut short; restore from another backup.',
  });
}

function transformStage(stream: Transform): Stage {
  return { stream, done: endOf(stream, 'readable') };
}
