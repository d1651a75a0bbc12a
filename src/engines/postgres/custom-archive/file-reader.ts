// Buffered forward reader over a file, with the integer and string encodings of pg_dump archives.
import type { FileHandle } from 'node:fs/promises';

const defaultBufferBytes = 8 << 20;

/** Thrown when the archive does not have the shape this reader expects. */
export class ArchiveShapeError extends Error {}

/**
 * Reads a file front to back through one reusable buffer. Callers check `available()` and call
 * `fill(n)` only when fewer than n bytes are buffered, so the hot loops stay synchronous.
 */
export class FileReader {
  buffer: Buffer;
  /** Read position inside `buffer`. */
  pos = 0;
  /** End of the valid bytes in `buffer`. */
  end = 0;
  /** File offset of `buffer[0]`. */
  private base = 0;
  private atEof = false;

  /** Bytes in an archive integer (after its sign byte); the archive header says. */
  intSize = 4;

  constructor(
    private readonly handle: FileHandle,
    bufferBytes = defaultBufferBytes,
  ) {
    this.buffer = Buffer.allocUnsafe(bufferBytes);
  }

  /** File offset of the next unread byte. */
  offset(): number {
    return this.base + this.pos;
  }

  available(): number {
    return this.end - this.pos;
  }

  /** True once the file is exhausted and every byte was consumed. */
  isDone(): boolean {
    return this.atEof && this.pos === this.end;
  }

  /** Buffers at least `n` bytes (more when the file has them); false at end of file. */
  async fill(n: number): Promise<boolean> {
    if (this.available() >= n) return true;
    this.compact(n);
    while (this.available() < n && !this.atEof) {
      const { bytesRead } = await this.handle.read(
        this.buffer,
        this.end,
        this.buffer.length - this.end,
        this.base + this.end,
      );
      if (bytesRead === 0) this.atEof = true;
      this.end += bytesRead;
    }
    return this.available() >= n;
  }

  /** Moves forward `n` bytes, dropping the buffer instead of reading what lies beyond it. */
  skip(n: number): void {
    if (n <= this.available()) {
      this.pos += n;
      return;
    }
    this.base = this.offset() + n;
    this.pos = 0;
    this.end = 0;
  }

  /** Reads an archive integer: a sign byte, then `intSize` bytes least significant first. */
  readInt(): number {
    const { buffer, intSize } = this;
    const negative = buffer.readUInt8(this.pos) !== 0;
    let value = 0;
    for (let i = intSize; i >= 1; i -= 1) value = value * 256 + buffer.readUInt8(this.pos + i);
    this.pos += 1 + intSize;
    return negative ? -value : value;
  }

  async needInt(): Promise<number> {
    await this.must(1 + this.intSize);
    return this.readInt();
  }

  async needByte(): Promise<number> {
    await this.must(1);
    return this.buffer.readUInt8(this.pos++);
  }

  /** Reads an archive string: a length integer (negative for NULL), then that many bytes. */
  async needString(): Promise<string | null> {
    const length = await this.needInt();
    if (length < 0) return null;
    await this.must(length);
    const text = this.buffer.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return text;
  }

  /** Like fill, but a short file is an archive that is not what it claims. */
  async must(n: number): Promise<void> {
    if (!(await this.fill(n))) throw new ArchiveShapeError('archive ends early');
  }

  private compact(n: number): void {
    const kept = this.available();
    const size = Math.max(this.buffer.length, n);
    const target = size > this.buffer.length ? Buffer.allocUnsafe(size) : this.buffer;
    this.buffer.copy(target, 0, this.pos, this.end);
    this.buffer = target;
    this.base += this.pos;
    this.pos = 0;
    this.end = kept;
  }
}
