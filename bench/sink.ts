// A minimal SES-compatible sink for the benchmark: answers every SES v1 Query API call
// (SendRawEmail, GetSendQuota) at once with a well-formed XML reply and keeps nothing but a count
// and the arrival time of each SendRawEmail. It also answers EventBridge's PutEvents (JSON 1.1
// protocol, `X-Amz-Target: AWSEvents.PutEvents`), accepting every entry and counting them, so the
// drip publishes its subscription events as deployed. It takes SES out of the measurement; the SES emulator
// (aws-ses-v2-local) parses and stores every message, which is SES's cost, not the sender's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../functions/local/services.js';

export interface SesSink {
  url: string;
  /** SendRawEmail calls received so far. */
  count(): number;
  /** PutEvents entries received so far (every one accepted). */
  events(): number;
  /** performance.timeOrigin-based arrival times (ms since the epoch, sub-ms) of each SendRawEmail. */
  arrivals(): number[];
  reset(): void;
  close(): Promise<void>;
}

const XMLNS = 'http://ses.amazonaws.com/doc/2010-12-01/';

export async function startSesSink(port = 0): Promise<SesSink> {
  let sent = 0;
  let events = 0;
  let arrivals: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers['x-amz-target'] === 'AWSEvents.PutEvents') {
        const entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown[] }).Entries ?? [];
        const first = events;
        events += entries.length;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `sink-event-${first + i}` })) }));
        return;
      }
      // The action is the first form field the SDK writes; only the start of the body is read.
      const head = Buffer.concat(chunks).subarray(0, 200).toString('latin1');
      const action = /(?:^|&)Action=([A-Za-z]+)/.exec(head)?.[1] ?? '';
      let body: string;
      if (action === 'SendRawEmail') {
        sent++;
        arrivals.push(performance.timeOrigin + performance.now());
        body = `<SendRawEmailResponse xmlns="${XMLNS}"><SendRawEmailResult><MessageId>sink-${sent}</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r${sent}</RequestId></ResponseMetadata></SendRawEmailResponse>`;
      } else if (action === 'GetSendQuota') {
        body = `<GetSendQuotaResponse xmlns="${XMLNS}"><GetSendQuotaResult><Max24HourSend>1000000</Max24HourSend><MaxSendRate>100000</MaxSendRate><SentLast24Hours>0</SentLast24Hours></GetSendQuotaResult><ResponseMetadata><RequestId>q</RequestId></ResponseMetadata></GetSendQuotaResponse>`;
      } else {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the bench sink answers SendRawEmail and GetSendQuota only</Message></Error><RequestId>e</RequestId></ErrorResponse>`,
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    count: () => sent,
    events: () => events,
    arrivals: () => arrivals,
    reset: () => {
      sent = 0;
      events = 0;
      arrivals = [];
    },
    close: () => closeServer(server),
  };
}
