// A pass-through stream stage that scans a dump on its way (and may rewrite line heads).
import { Transform, type TransformCallback } from 'node:stream';
import { DumpScanner, type HeadRewrite, type ScanResult } from './dump-scanner.js';

/** Scans every byte passing through; `result` settles when the stream has ended. */
export class ScanStream extends Transform {
  readonly #scanner: DumpScanner;
  #result: ScanResult | undefined;

  constructor(rewrite?: HeadRewrite) {
    super({ highWaterMark: 1 << 20 });
    this.#scanner = new DumpScanner(rewrite);
  }

  /** What the scan found; only valid once the stream has finished. */
  get result(): ScanResult {
    if (this.#result === undefined) throw new Error('the dump scan has not finished');
    return this.#result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    for (const part of this.#scanner.push(chunk)) this.push(part);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const { rest, result } = this.#scanner.finish();
    for (const part of rest) this.push(part);
    this.#result = result;
    callback();
  }
}
