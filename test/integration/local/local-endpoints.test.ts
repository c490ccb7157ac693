// The local stack's own edges, through real HTTP: `POST /__local/drip` takes JSON only and never a
// request another site's page made (a form post from any page the developer opens must not run the
// drip as of any date), and an early 413 reaches a client that is still sending a large body (raw
// sockets, Content-Length and chunked, the client reading only once it has sent everything).
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDrip } from '../../../functions/core/ports.js';
import { parseLocalSettings } from '../../../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../../../functions/local/stack.js';
import { localStackEnv } from '../../support/stack.js';
import { idleDripSummary } from '../../support/drip-summary.js';

const PUBLIC_URL = 'https://course.example';
let stack: LocalStack;
let dataDir: string;
/** Every drip run the endpoint started (a stand-in drip: what matters is whether it ran, and as of when). */
const runs: Date[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'course-local-endpoints-'));
  const settings = parseLocalSettings({ DATA_DIR: dataDir, DRIP_EVERY: '0', PUBLIC_URL, ...localStackEnv() });
  const drip: RunDrip = ({ now }) => (runs.push(now), Promise.resolve(idleDripSummary()));
  stack = await startLocalStack({
    settings: { ...settings, port: 0, sesPort: 0, dynamodbPort: 0 },
    log: () => undefined,
    createRunDrip: () => drip,
  });
});
afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const drip = (headers: Record<string, string>, body?: string) =>
  fetch(`${stack.url}/__local/drip`, {
    method: 'POST',
    headers: { accept: 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });

describe('POST /__local/drip', () => {
  it.each([
    ['a text/plain form post (no CORS preflight needed)', 'text/plain', '{"at":"2030-01-01T09:00:00Z"}'],
    ['a URL-encoded form post', 'application/x-www-form-urlencoded', 'at=2030-01-01T09%3A00%3A00Z'],
    [
      'a multipart form post',
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="at"\r\n\r\n2030\r\n--x--\r\n',
    ],
    ['JSON under another type', 'application/x-json', '{"at":"2030-01-01T09:00:00Z"}'],
  ])('refuses %s with 415 and runs nothing', async (_what, type, body) => {
    const before = runs.length;
    const res = await drip({ 'content-type': type }, body);
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    expect(runs.length).toBe(before);
  });

  it.each([
    ['another site in Origin', { origin: 'https://evil.example' }],
    ['a look-alike of the public URL', { origin: 'https://course.example.evil.example' }],
    ['the public URL on another scheme', { origin: 'http://course.example' }],
    ['Origin null (a sandboxed page, a file)', { origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['a same-origin Origin but Sec-Fetch-Site cross-site', { origin: 'https://course.example', 'sec-fetch-site': 'cross-site' }],
  ])('refuses a JSON request with %s (403) and runs nothing', async (_what, headers: Record<string, string>) => {
    const before = runs.length;
    const res = await drip({ 'content-type': 'application/json', ...headers }, '{"at":"2030-01-01T09:00:00Z"}');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('cross_site');
    expect(runs.length).toBe(before);
  });

  it('refuses a DNS-rebinding request: a foreign Host, with its own origin as Origin and Sec-Fetch-Site same-origin', async () => {
    const before = runs.length;
    const port = new URL(stack.url).port;
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: Number(port),
          method: 'POST',
          path: '/__local/drip',
          headers: { host: `rebind.example:${port}`, origin: `http://rebind.example:${port}`, 'sec-fetch-site': 'same-origin' },
        },
        (r) => (r.resume(), resolve(r.statusCode ?? 0)),
      );
      req.on('error', reject);
      req.end();
    });
    expect(res).toBe(403);
    expect(runs.length).toBe(before);
  });

  it('refuses a cross-site request even without a body', async () => {
    const before = runs.length;
    expect((await drip({ origin: 'https://evil.example' })).status).toBe(403);
    expect(runs.length).toBe(before);
  });

  it.each([
    ['no Origin (curl, scripts)', {}],
    ['its own origin', () => ({ origin: new URL(stack.url).origin })],
    ['the public URL origin', { origin: PUBLIC_URL }],
    ['Sec-Fetch-Site same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site none (typed by the user)', { 'sec-fetch-site': 'none' }],
  ])('runs the drip as of "at" for JSON with %s', async (_what, headers) => {
    const before = runs.length;
    const h = typeof headers === 'function' ? headers() : headers;
    const res = await drip({ 'content-type': 'application/json; charset=utf-8', ...h }, '{"at":"2030-01-01T09:00:00Z"}');
    expect(res.status).toBe(200);
    expect(runs.slice(before)).toEqual([new Date('2030-01-01T09:00:00Z')]);
  });

  it('runs the drip now for a POST with no body at all', async () => {
    const before = runs.length;
    expect((await drip({})).status).toBe(200);
    expect(runs.length).toBe(before + 1);
  });
});

/**
 * A raw request whose body is sent slowly (64 KiB every 20 ms), the socket unread until all of it is
 * written: a client that answers only once it has sent. Answers the status line it then reads.
 */
function slowRequest(head: string, body: Buffer, chunked: boolean): Promise<string> {
  const port = Number(new URL(stack.url).port);
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.pause();
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('error', (e) => resolve(`error ${e.message}; read ${JSON.stringify(got.slice(0, 30))}`));
    // The server closes after its answer (Connection: close): the end of what it sent.
    const done = () => (socket.destroy(), resolve(got.split('\r\n')[0] ?? ''));
    socket.on('end', done);
    socket.on('close', done);
    socket.write(head);
    let at = 0;
    const piece = 64 * 1024;
    const pump = () => {
      if (at >= body.length) {
        if (chunked) socket.write('0\r\n\r\n');
        socket.resume();
        return;
      }
      const part = body.subarray(at, at + piece);
      at += piece;
      socket.write(chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
      setTimeout(pump, 20);
    };
    pump();
  });
}

describe('a 413 reaches a client still sending a large body', () => {
  const sizes = [1.5 * 1024 * 1024, 3 * 1024 * 1024];
  it.each(sizes)('Content-Length, %i bytes: the client reads the 413 status line', async (size) => {
    const body = Buffer.alloc(size, 'a');
    const head = `POST /subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    expect(await slowRequest(head, body, false)).toMatch(/^HTTP\/1\.1 413 /);
  });

  it.each(sizes)('chunked, %i bytes: the client reads the 413 status line', async (size) => {
    const body = Buffer.alloc(size, 'a');
    const head = 'POST /subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(await slowRequest(head, body, true)).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('a 413 on /__local/drip and a 404 on a path that reads no body reach the client too', async () => {
    const body = Buffer.alloc(1.5 * 1024 * 1024, 'a');
    const drip = `POST /__local/drip HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    expect(await slowRequest(drip, body, false)).toMatch(/^HTTP\/1\.1 413 /);
    const nowhere = `POST /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`;
    expect(await slowRequest(nowhere, body, false)).toMatch(/^HTTP\/1\.1 404 /);
  });
});
