// When a stream stage is over: its end, its error, or a close that came before its end.
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * Resolves once `stream` delivered everything (the 'end' of its readable side, or the 'finish'
 * of a writable sink); rejects with its error, or with ERR_STREAM_PREMATURE_CLOSE when it was
 * destroyed first. A stage destroyed without an error (Ctrl+C, another part failing) emits
 * neither 'end' nor 'error', and whoever waited for those waited forever.
 */
export function endOf(stream: Readable | Writable, side: 'readable' | 'writable'): Promise<void> {
  const options = side === 'readable' ? { writable: false } : { readable: false };
  const done = finished(stream, options);
  done.catch(() => undefined);
  return done;
}
