// A pass-through stage that hashes (SHA-256) and counts the bytes flowing through it.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** What a hash stage measured once its input ended. */
export interface HashResult {
  sha256: string;
  bytes: number;
}

/** A Transform that forwards its input unchanged; `result()` is valid after it has flushed. */
export class HashStage extends Transform {
  readonly #hash = createHash('sha256');
  #bytes = 0;
  #result: HashResult | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    this.push(chunk);
    done();
  }

  override _flush(done: () => void): void {
    this.#result = { sha256: this.#hash.digest('hex'), bytes: this.#bytes };
    done();
  }

  /** The digest and byte count; throws if the stream has not ended. */
  result(): HashResult {
    if (this.#result === undefined) throw new Error('hash read before the stream ended');
    return this.#result;
  }
}
