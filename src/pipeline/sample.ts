// Reads the start of a stream without losing it, so a decision can be made while streaming.
import { Readable } from 'node:stream';

/** The start of a stream and whether the stream ended within it. */
export interface StreamHead {
  head: Buffer;
  ended: boolean;
}

/**
 * Reads up to `limit` bytes (possibly a little more: whole chunks) from a stream that nothing
 * else reads yet. The stream stays usable; pass it with the head to {@link replayHead}.
 */
export function readHead(stream: Readable, limit: number): Promise<StreamHead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const finish = (ended: boolean) => {
      cleanup();
      resolve({ head: Buffer.concat(chunks), ended });
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while (bytes < limit && (chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        bytes += chunk.length;
      }
      if (bytes >= limit) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

/** A stream of the head followed by the rest; destroying it destroys the rest too. */
export function replayHead({ head, ended }: StreamHead, rest: Readable): Readable {
  async function* chain(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for await (const chunk of rest) yield chunk as Buffer;
  }
  return Readable.from(chain(), { objectMode: false, highWaterMark: 1 << 20 });
}
