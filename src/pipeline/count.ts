// A pass-through stage that counts bytes and reports progress at most every interval.

import { Transform } from 'node:stream';

/** Options of {@link CountStage}. */
export interface CountOptions {
  onProgress?: (bytes: number) => void;
  intervalMs?: number;
  now?: () => number;
}

/** Forwards its input and counts it; `bytes` is the running total. */
export class CountStage extends Transform {
  bytes = 0;
  readonly #onProgress: ((bytes: number) => void) | undefined;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastReport = 0;

  constructor({ onProgress, intervalMs = 500, now = Date.now }: CountOptions = {}) {
    super();
    this.#onProgress = onProgress;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    const now = this.#now();
    if (this.#onProgress !== undefined && now - this.#lastReport >= this.#intervalMs) {
      this.#lastReport = now;
      this.#onProgress(this.bytes);
    }
    this.push(chunk);
    done();
  }

  /** Sets the total from elsewhere (bytes counted by another process) and reports it. */
  report(total: number): void {
    this.bytes = total;
    this.#lastReport = this.#now();
    this.#onProgress?.(total);
  }

  override _flush(done: () => void): void {
    this.#onProgress?.(this.bytes);
    done();
  }
}
