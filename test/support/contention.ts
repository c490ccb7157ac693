// For tests of the send rate as SES would see it: an SES-compatible sink in a worker thread of its own
// (its event loop is not the sender's, so stalls of the sender's loop do not delay its clock) that
// notes when each SendRawEmail arrives and to whom. The CPU hog beside it is bench/hog.ts.
import { Worker } from 'node:worker_threads';

// Plain JavaScript, evaluated in the worker (no TypeScript loader there).
const SINK = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
let arrivals = [];
let sent = 0;
const server = http.createServer((req, res) => {
  // Noted when the request arrives (headers read), before its body: the earliest SES could count it.
  const at = performance.timeOrigin + performance.now();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('latin1');
    if (!/(?:^|&)Action=SendRawEmail(?:&|$)/.test(body)) { res.writeHead(400); res.end(); return; }
    const to = decodeURIComponent((/(?:^|&)Destinations\\.member\\.1=([^&]*)/.exec(body) || [])[1] || '');
    arrivals.push({ at, to });
    sent++;
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>sink-' + sent + '</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendRawEmailResponse>');
  });
});
parentPort.on('message', (m) => {
  if (m === 'arrivals') parentPort.postMessage({ arrivals });
  else if (m === 'close') server.close(() => parentPort.postMessage({ closed: true }));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export interface ArrivalSink {
  url: string;
  /** Each SendRawEmail as it arrived: epoch ms (sub-ms) and the destination address. */
  arrivals(): Promise<{ at: number; to: string }[]>;
  close(): Promise<void>;
}

export async function startArrivalSink(): Promise<ArrivalSink> {
  const worker = new Worker(SINK, { eval: true });
  const next = <T>() => new Promise<T>((resolve) => worker.once('message', resolve));
  const { port } = await next<{ port: number }>();
  return {
    url: `http://127.0.0.1:${port}`,
    async arrivals() {
      const answer = next<{ arrivals: { at: number; to: string }[] }>();
      worker.postMessage('arrivals');
      return (await answer).arrivals;
    },
    async close() {
      const answer = next();
      worker.postMessage('close');
      await answer;
      await worker.terminate();
    },
  };
}
