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
