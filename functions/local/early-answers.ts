// Early answers that reach the client: when the app answers before it has read the request body (a
// 413 from Content-Length, a 415, a 404), the local server reads and discards the rest of the body,
// up to a bound, before it ends the answer and closes. Closing a socket with unread data makes the
// kernel send a reset, and a client still sending (or that reads only once it has sent everything)
// then loses the answer it was sent: it sees ECONNRESET or EPIPE instead of the 413 (RFC 9112 §9.6
// asks a server to close in stages for this reason).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The most of an unread body the server discards before it answers anyway (and the client may see a reset). */
export const MAX_DISCARDED_BODY_BYTES = 10 * 1024 * 1024;
/** How long the server waits for the rest of a body it will discard. */
export const DISCARD_WAIT_MS = 30_000;

/**
 * Makes `res.end()` wait until the rest of `req`'s body has arrived (and been thrown away) when the
 * answer comes before the body was read: at most `maxBytes` more bytes, at most `waitMs`. The answer
 * itself is unchanged (the app already said `Connection: close`). Call once per request, before the
 * app sees it.
 */
export function answerAfterBody(req: IncomingMessage, res: ServerResponse, bounds: { maxBytes?: number; waitMs?: number } = {}): void {
  const maxBytes = bounds.maxBytes ?? MAX_DISCARDED_BODY_BYTES;
  const waitMs = bounds.waitMs ?? DISCARD_WAIT_MS;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    if (req.complete || req.readableEnded || req.destroyed) return end(...args);
    let discarded = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('error', finish);
      req.off('close', finish);
      req.off('pause', keepFlowing);
      end(...args);
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > maxBytes) finish();
    };
    // A body stream the app began to read (Readable.toWeb, under a size limit that stopped reading)
    // pauses the request whenever its queue is full: it is resumed, the queue grows to the bound at most.
    const keepFlowing = () => req.resume();
    const timer = setTimeout(finish, waitMs);
    timer.unref();
    req.on('data', onData);
    req.once('end', finish);
    req.once('error', finish);
    req.once('close', finish);
    req.on('pause', keepFlowing);
    req.resume();
    return res;
  }) as typeof res.end;
}
