// The embedded services behind `npm start` and the integration tests: dynalite (DynamoDB) and
// aws-ses-v2-local (SES with a web inbox), both started in this process.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import sesServer from 'aws-ses-v2-local';

const require = createRequire(import.meta.url);

export interface RunningService {
  url: string;
  port: number;
  close(): Promise<void>;
}

function listening(server: Server, what: string, port: number): Promise<RunningService> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what}: port ${port} is already in use. Stop whatever uses it, or choose another port.`, { cause: err })
          : err,
      );
    };
    server.once('error', onError);
    const ready = () => {
      server.off('error', onError);
      const actual = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${actual}`, port: actual, close: () => closeServer(server) });
    };
    if (server.listening) ready();
    else server.once('listening', ready);
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections?.();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Start dynalite. With `path` the data is kept on disk (LevelDB) and survives restarts;
 * without it the data lives in memory (tests). Port 0 picks a free port.
 */
export async function startDynalite(options: { port?: number; path?: string } = {}): Promise<RunningService> {
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = options.port ?? 0;
  server.listen(port, '127.0.0.1');
  return listening(server, 'dynalite (DynamoDB)', port);
}

/** Start the SES emulator; its inbox page is at the returned url. Port 0 picks a free port. */
export async function startSesEmulator(options: { port?: number } = {}): Promise<RunningService> {
  const port = options.port ?? 0;
  // aws-ses-v2-local resolves only once listening and has no error path, so probe the port first
  // to give a clear message when it is taken.
  await assertPortFree(port, 'SES emulator');
  // Node's own ESM loader (tsx, npm start) hands over the CommonJS exports object, bundlers and
  // vitest its `default`: accept both.
  const start = typeof sesServer === 'function' ? sesServer : (sesServer as unknown as { default: typeof sesServer }).default;
  const server = await start({ host: '127.0.0.1', port });
  return listening(server, 'SES emulator', port);
}

async function assertPortFree(port: number, what: string): Promise<void> {
  if (port === 0) return;
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`${what}: port ${port} is already in use. Stop whatever uses it, or choose another port.`, { cause: err }) : err),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** Emails the SES emulator holds, newest last (its `GET /store` API). */
export interface EmulatedEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

export async function emulatorEmails(sesUrl: string): Promise<EmulatedEmail[]> {
  const res = await fetch(`${sesUrl}/store`);
  if (!res.ok) throw new Error(`SES emulator store: HTTP ${res.status}`);
  const body = (await res.json()) as { emails: EmulatedEmail[] };
  return body.emails;
}

export async function clearEmulator(sesUrl: string): Promise<void> {
  const res = await fetch(`${sesUrl}/clear-store`, { method: 'POST' });
  if (!res.ok) throw new Error(`SES emulator clear: HTTP ${res.status}`);
}
