// A Writable that keeps what is written to it, for the CLI's `out` and `err` in tests.
import { Writable } from 'node:stream';

/** A stream that collects every chunk written to it; `text()` is everything so far, as UTF-8. */
export function collector(): Writable & { text: () => string } {
  let buf = '';
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return Object.assign(w, { text: () => buf });
}

/**
 * A reader slower than any producer: a one-byte buffer, each chunk acknowledged on the next turn of
 * the event loop, so a writer that ignores backpressure piles up. `chunks` holds each write as text.
 */
export function slowReader(): Writable & { chunks: string[] } {
  const chunks: string[] = [];
  const w = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      setImmediate(cb);
    },
  });
  return Object.assign(w, { chunks });
}
