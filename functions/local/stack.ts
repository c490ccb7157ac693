// The embedded stack behind `npm start` (and the tests that restart it): AWS's DynamoDB Local with its
// data on disk, the SES emulator with its inbox, the HTTP app on @hono/node-server, and the drip ticker.
// One process, the same core and adapters as Lambda; stop() shuts down without losing writes.
import { createServer, type Server } from 'node:http';
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import type { AppConfig } from '../adapters/config.js';
import { localUrl } from '../config/settings.js';
import { LOCAL_CREDENTIALS, createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { readableLog } from '../adapters/observability.js';
import { tableDefinition } from '../adapters/table.js';
import { loadLocalTokenKey } from '../adapters/token-key.js';
import { systemClock, type Clock, type DripSummary, type Log, type Mailer, type RunDrip } from '../core/ports.js';
import { createTokens, type Tokens } from '../core/tokens.js';
import type { SubscriptionDeps } from '../core/lifecycle.js';
import { createInProcessOutbox, sweepSignupsLogged, type SignupOutbox } from '../core/signup-outbox.js';
import { compileCourses } from '../email/compile.js';
import { courseCatalog, type CourseCatalog } from '../email/compiled-course.js';
import { loadCourses } from '../email/courses.js';
import { createApp } from '../http/app.js';
import type { EventPublisher } from '../core/events.js';
import { createLocalRunDrip, localEvents, localSubscriptionDeps, sesMailer, type LocalDripContext } from '../wiring/index.js';
import { answerAfterBody } from './early-answers.js';
import { localRoutes } from './routes.js';
import { startDynamoDbLocal, startSesEmulator, type RunningService } from './services.js';
import type { LocalSettings } from './settings.js';
import { startDripTicker, type DripTicker } from './ticker.js';

export type { LocalDripContext } from '../wiring/index.js';

/**
 * The drip wired into `npm start` when the caller passes none. The drip module fills this spot:
 * `(ctx) => (run) => runDrip({ ...deps built from ctx }, run)`.
 */
const defaultCreateRunDrip: ((ctx: LocalDripContext) => RunDrip) | undefined = createLocalRunDrip;

export interface LocalStackOptions {
  settings: LocalSettings;
  /** Builds the drip from the stack's pieces; default `defaultCreateRunDrip`. */
  createRunDrip?: (ctx: LocalDripContext) => RunDrip;
  /**
   * Wraps the SES mailer (e.g. simulated SES feedback). A `settled()` on the result is awaited at stop,
   * so work it started after a send is finished before the database closes.
   */
  decorateMailer?: (mailer: Mailer, ctx: Omit<LocalDripContext, 'mailer'>) => Mailer & { settled?: () => Promise<void> };
  clock?: Clock;
  /** The log port; default readable lines on the console (readableLog). */
  log?: Log;
  /** Where subscription events go; default the log and DATA_DIR/events.jsonl (wiring/local.ts localEvents). */
  events?: EventPublisher & { settled?: () => Promise<void> };
}

export interface LocalStack {
  /** The signup page. */
  url: string;
  /** The SES emulator's web inbox (and its `/store` API). */
  inboxUrl: string;
  dynamodbUrl: string;
  /** Whether the start created the table or found it (for the banner). */
  table: 'created' | 'found';
  config: AppConfig;
  tableName: string;
  doc: DynamoDBDocumentClient;
  tokens: Tokens;
  /** Every course of COURSES_DIR, compiled once at start. */
  courses: CourseCatalog;
  app: Hono;
  /** Resolves once every signup accepted so far has been processed (its confirmation sent or not due). */
  signupsSettled(): Promise<void>;
  /** Runs one drip tick now, as the ticker does (undefined when no drip is wired). */
  runDripNow?: () => Promise<DripSummary>;
  /** Stops accepting requests, finishes the ones in flight and a running drip tick, then closes the database. */
  stop(): Promise<void>;
}

/** How long stop() lets in-flight requests finish before cutting their connections. */
const DRAIN_MS = 10_000;

async function ensureTable(dynamo: DynamoDBClient, tableName: string): Promise<'created' | 'found'> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return 'found';
  } catch (e: unknown) {
    if (!(e instanceof ResourceNotFoundException || (e instanceof Error && e.name === 'ResourceNotFoundException'))) {
      throw new Error(`Cannot reach DynamoDB to check table ${tableName}`, { cause: e });
    }
  }
  await dynamo.send(new CreateTableCommand(tableDefinition(tableName)));
  for (let i = 0; i < 100; i++) {
    const d = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.TableStatus === 'ACTIVE') return 'created';
    await sleep(50);
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}

/** The database folder, when it exists, must be a folder this process can read and write. */
async function assertUsableFolder(folder: string): Promise<void> {
  let info;
  try {
    info = await stat(folder);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw damagedDatabase(folder, e);
  }
  if (!info.isDirectory()) throw damagedDatabase(folder, new Error('it is not a folder'));
  try {
    await access(folder, constants.R_OK | constants.W_OK | constants.X_OK);
    await readdir(folder);
  } catch (e: unknown) {
    throw damagedDatabase(folder, e);
  }
}

/** A local database that does not open or answer: the message names its folder and the ways out. */
function damagedDatabase(folder: string, cause: unknown): Error {
  const reason =
    cause instanceof Error ? (cause.cause instanceof Error ? `${cause.message}: ${cause.cause.message}` : cause.message) : String(cause);
  return new Error(
    `The local database in ${folder} cannot be opened or read (${reason}). If that folder is damaged, restore it from a backup, or move it away (for example to ${folder}.broken) to start with an empty database.`,
    { cause },
  );
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`The HTTP app: port ${port} is already in use. Stop whatever uses it, or choose another port (PORT=…).`, {
              cause: err,
            })
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes the server gracefully: no new connections, idle ones closed, busy ones given DRAIN_MS. */
function drain(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    force.unref();
    server.close((err) => {
      clearTimeout(force);
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(err);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

/** What is running, so stop() (or a failed start) closes exactly that, in a safe order. Each step records what it starts. */
interface Running {
  server?: Server;
  dynamoDbLocal?: RunningService;
  sesEmulator?: RunningService;
  /** SDK clients, destroyed in this order. */
  clients: { destroy(): void }[];
  mailer?: Mailer & { settled?: () => Promise<void> };
  ticker?: DripTicker;
  outbox?: SignupOutbox;
  events?: { settled?: () => Promise<void> };
}

/** Closes what `running` holds without losing writes; a step that fails is logged and the others still run. */
async function stopRunning(running: Running, log: Log): Promise<void> {
  const attempt = async (what: string, step: () => Promise<void> | void) => {
    try {
      await step();
    } catch (e: unknown) {
      log({ level: 'error', msg: 'stop step failed', step: what, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const { server, outbox, mailer, sesEmulator, dynamoDbLocal } = running;
  // No new drip tick from here on; the one in progress is awaited in step 2.
  const tickerStopped = running.ticker?.stop();
  // 1. No new requests; the ones in flight finish (their writes land before the database closes).
  if (server !== undefined) await attempt('HTTP app', () => drain(server));
  // 2. The drip tick in progress finishes, the signups kicked by the last requests, and anything
  //    the mailer started after a send.
  if (tickerStopped !== undefined) await attempt('drip tick', () => tickerStopped);
  if (outbox !== undefined) await attempt('signup outbox', () => outbox.settled());
  if (typeof mailer?.settled === 'function') await attempt('mailer', () => mailer.settled!());
  const { events } = running;
  if (typeof events?.settled === 'function') await attempt('events', () => events.settled!());
  // 3. Clients, then the emulators; DynamoDB Local last, after every write above has landed.
  for (const client of running.clients) client.destroy();
  if (sesEmulator !== undefined) await attempt('SES emulator', () => sesEmulator.close());
  if (dynamoDbLocal !== undefined) await attempt('DynamoDB Local', () => dynamoDbLocal.close());
}

type Route = { fetch?: (req: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response> };

/**
 * The HTTP port first: it is the one most often taken, and nothing else is started yet if it is.
 * The app is built once the services are up; until `route.fetch` is set the port answers 503, with
 * the headers the app puts on every answer. Answers the port actually bound.
 */
async function openHttpPort(port: number, running: Running): Promise<{ port: number; route: Route }> {
  const route: Route = {};
  const starting = {
    'Retry-After': '1',
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  };
  const listener = getRequestListener((req, env) =>
    route.fetch ? route.fetch(req, env) : new Response('Starting, try again in a moment.', { status: 503, headers: starting }),
  );
  // An answer given before the body was read (413, 415) still reaches a client that is sending it.
  const server = createServer((req, res) => {
    answerAfterBody(req, res);
    void listener(req, res);
  });
  running.server = server;
  return { port: await listen(server, port), route };
}

/** DynamoDB Local (data in DATA_DIR) and the SES emulator, unless AWS_ENDPOINT_URL_* names others. Answers their URLs. */
async function startServices(settings: LocalSettings, running: Running): Promise<{ dynamodbUrl: string; sesUrl: string }> {
  let dynamodbUrl = settings.dynamodbEndpoint;
  if (dynamodbUrl === undefined) {
    const folder = join(settings.dataDir, 'dynamodb');
    await assertUsableFolder(folder);
    running.dynamoDbLocal = await startDynamoDbLocal({ port: settings.dynamodbPort, path: folder });
    dynamodbUrl = running.dynamoDbLocal.url;
  }
  let sesUrl = settings.sesEndpoint;
  if (sesUrl === undefined) {
    running.sesEmulator = await startSesEmulator({ port: settings.sesPort });
    sesUrl = running.sesEmulator.url;
  }
  return { dynamodbUrl, sesUrl };
}

/** The SDK clients on the services, and the table, created when missing. */
async function connectClients(settings: LocalSettings, urls: { dynamodbUrl: string; sesUrl: string }, running: Running) {
  const dynamo = createDynamoClient({ endpoint: urls.dynamodbUrl });
  const dripDynamo = createDynamoClient({ endpoint: urls.dynamodbUrl, cacheMiddleware: true });
  const ses = new SESClient({ endpoint: urls.sesUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, cacheMiddleware: true });
  running.clients.push(dynamo, dripDynamo, ses);
  let table: 'created' | 'found';
  try {
    table = await ensureTable(dynamo, settings.app.tableName);
  } catch (e: unknown) {
    // Only the embedded database's folder can be named; an endpoint given by the user is theirs.
    if (running.dynamoDbLocal === undefined) throw e;
    throw damagedDatabase(join(settings.dataDir, 'dynamodb'), e);
  }
  return { doc: createDocumentClient(dynamo), dripDynamo, ses, table };
}

/** The mailer, the subscription core with its signup outbox, the drip and the HTTP app, from the stack's pieces. */
function wireApp(
  options: LocalStackOptions,
  base: Omit<LocalDripContext, 'mailer'>,
  ses: SESClient,
  running: Running,
): { app: Hono; runDrip: RunDrip | undefined } {
  const { config, log } = base;
  const sesSender = sesMailer(ses, config);
  const mailer = options.decorateMailer ? options.decorateMailer(sesSender, base) : sesSender;
  running.mailer = mailer;
  const ctx: LocalDripContext = { ...base, mailer };
  const deps = localSubscriptionDeps(ctx);
  // Accepted signups are sent right after the answer; each drip tick first sweeps what is left
  // (a send that failed, or requests stored before a crash).
  const outbox = createInProcessOutbox(() => deps, log);
  running.outbox = outbox;
  deps.outbox = outbox;
  const runDrip = wireDrip(options.createRunDrip ?? defaultCreateRunDrip, ctx, deps);
  const app = createApp({
    deps,
    corsOrigins: config.corsOrigins,
    log,
    clientIp: (c) => (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket.remoteAddress,
  });
  app.route('/', localRoutes({ clock: base.clock, publicUrl: config.publicUrl, ...(runDrip === undefined ? {} : { runDrip }) }));
  return { app, runDrip };
}

/** The drip, each tick first sweeping the signup outbox; undefined when no drip is wired. */
function wireDrip(
  createRunDrip: ((ctx: LocalDripContext) => RunDrip) | undefined,
  ctx: LocalDripContext,
  deps: SubscriptionDeps,
): RunDrip | undefined {
  const drip = createRunDrip?.(ctx);
  if (drip === undefined) return undefined;
  return async (run) => {
    await sweepSignupsLogged(deps, run.deadline, ctx.log);
    return drip(run);
  };
}

/** One drip tick now, as the ticker runs it: a tick may use its interval (at least a minute, at most five, like the Lambda's timeout). */
function dripNow(runDrip: RunDrip, clock: Clock, everyMs: number): () => Promise<DripSummary> {
  return () => {
    const now = clock.now();
    const budget = Math.min(Math.max(everyMs, 60_000), 5 * 60_000);
    return runDrip({ now, deadline: new Date(now.getTime() + budget) });
  };
}

/**
 * Starts the stack: the HTTP port, the services, the clients and table, then the app and the drip
 * ticker. A failed start stops what it had started, and throws.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { settings } = options;
  const log = options.log ?? readableLog();
  const clock = options.clock ?? systemClock;
  const running: Running = { clients: [] };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= stopRunning(running, log));

  try {
    // The key before anything writes into the data folder: a key missing next to existing data
    // stops the start (loadLocalTokenKey), and the database must not look like "existing data" yet.
    const key = await loadLocalTokenKey(settings.dataDir);
    const compiledPromise = compileCourses(loadCourses(settings.coursesDir));
    // Awaited below; a rejection before then is reported there, not as unhandled.
    compiledPromise.catch(() => undefined);

    const http = await openHttpPort(settings.port, running);
    const urls = await startServices(settings, running);
    const { doc, dripDynamo, ses, table } = await connectClients(settings, urls, running);
    const config: AppConfig = { ...settings.app, publicUrl: settings.publicUrl ?? localUrl(http.port) };
    const tokens = createTokens(key);
    const courses = courseCatalog(await compiledPromise);

    const events = options.events ?? localEvents({ dataDir: settings.dataDir, includeEmail: config.eventsIncludeEmail ?? false, log });
    running.events = events;
    const base = { doc, dripDynamo, tableName: config.tableName, config, courses, tokens, clock, log, events };
    const { app, runDrip } = wireApp(options, base, ses, running);
    http.route.fetch = (req, env) => app.fetch(req, env);
    const runDripNow = runDrip === undefined ? undefined : dripNow(runDrip, clock, settings.dripEveryMs);
    if (runDripNow !== undefined && settings.dripEveryMs > 0) {
      // One tick at a time: a tick still running when the next is due is not doubled.
      running.ticker = startDripTicker({ everyMs: settings.dripEveryMs, tick: runDripNow, log });
    }

    return {
      url: localUrl(http.port),
      inboxUrl: urls.sesUrl,
      dynamodbUrl: urls.dynamodbUrl,
      table,
      config,
      tableName: config.tableName,
      doc,
      tokens,
      courses,
      app,
      signupsSettled: () => running.outbox!.settled(),
      ...(runDripNow === undefined ? {} : { runDripNow }),
      stop,
    };
  } catch (e: unknown) {
    await stop();
    throw e;
  }
}
