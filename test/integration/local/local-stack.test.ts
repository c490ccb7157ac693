// The local stack behind `npm start`, started in-process on free ports with a temporary DATA_DIR:
// it creates its table, keeps data and the token key across a stop and start, drains on stop, and
// says clearly when a port is taken.
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../functions/adapters/table.js';
import type { RunDrip } from '../../../functions/core/ports.js';
import { emulatorEmails, startSesEmulator, type RunningService } from '../../../functions/local/services.js';
import { parseInterval, parseLocalSettings, type LocalSettings } from '../../../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../../../functions/local/stack.js';
import { idleDripSummary } from '../../support/drip-summary.js';
import { localStackEnv } from '../../support/stack.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'course-local-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function settings(overrides: Partial<LocalSettings> = {}): LocalSettings {
  return { ...parseLocalSettings({ DATA_DIR: dataDir, DRIP_EVERY: '0' }), port: 0, sesPort: 0, dynamodbPort: 0, ...overrides };
}
/**
 * For the tests that are not about the database: the run's shared DynamoDB Local and a table of their
 * own (localStackEnv), so they start no JVM. The restart, the port and the damaged-file tests start
 * their own, since the JVM and its data folder are what they check.
 */
function sharedDbSettings(overrides: Partial<LocalSettings> = {}): LocalSettings {
  return {
    ...parseLocalSettings({ DATA_DIR: dataDir, DRIP_EVERY: '0', ...localStackEnv() }),
    port: 0,
    sesPort: 0,
    dynamodbPort: 0,
    ...overrides,
  };
}
const quiet = () => undefined;
const summary = idleDripSummary();

async function signUp(stack: LocalStack, email: string): Promise<string> {
  const res = await fetch(`${stack.url}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `email=${encodeURIComponent(email)}`,
  });
  expect(res.status).toBe(200);
  await stack.signupsSettled();
  const mail = (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.includes(email))).at(-1);
  const link = /(http:\/\/localhost:\d+\/confirm\?token=[A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
  if (!link) throw new Error('no confirmation link');
  return link;
}

describe('the local stack', () => {
  it('keeps subscribers and the token key across a stop and a start', async () => {
    const first = await startLocalStack({ settings: settings(), log: quiet });
    let unsubscribeUrl: string;
    let id: string;
    try {
      const link = await signUp(first, 'kept@example.com');
      expect(link.startsWith(`${first.url}/confirm?token=`)).toBe(true);
      const confirmed = await fetch(link, { method: 'POST' });
      expect(confirmed.status).toBe(200);
      const lock = await first.doc.send(
        new GetCommand({ TableName: first.tableName, Key: keys.address(first.courses.all[0]!.course.slug, 'kept@example.com') }),
      );
      id = String(lock.Item?.id);
      unsubscribeUrl = `${first.url}/unsubscribe?token=${first.tokens.sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt: new Date() })}`;
    } finally {
      await first.stop();
    }
    // Stopped means stopped: the port no longer answers.
    await expect(fetch(first.url)).rejects.toThrow();

    const second = await startLocalStack({ settings: settings(), log: quiet });
    try {
      const item = await second.doc.send(new GetCommand({ TableName: second.tableName, Key: keys.subscriber(id), ConsistentRead: true }));
      expect(item.Item).toMatchObject({ email: 'kept@example.com', status: 'active' });
      // The same key after the restart: a link from an email sent before it still works.
      const page = await fetch(unsubscribeUrl.replace(first.url, second.url));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('k***@example.com');
    } finally {
      await second.stop();
    }
    // Two or three starts of DynamoDB Local (a JVM each): on a busy 2-core machine over the 30 s default.
  }, 90_000);

  it('serves the signup page with security headers through the real node server', async () => {
    const stack = await startLocalStack({ settings: sharedDbSettings(), log: quiet });
    try {
      const res = await fetch(`${stack.url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await res.text()).toContain(stack.courses.all[0]!.course.title);
      // The socket's address is the consent IP.
      await signUp(stack, 'socket@example.com');
      const lock = await stack.doc.send(
        new GetCommand({ TableName: stack.tableName, Key: keys.address(stack.courses.all[0]!.course.slug, 'socket@example.com') }),
      );
      const sub = await stack.doc.send(new GetCommand({ TableName: stack.tableName, Key: keys.subscriber(String(lock.Item?.id)) }));
      expect((sub.Item?.consent as { ip: string }).ip).toMatch(/127\.0\.0\.1/);
    } finally {
      await stack.stop();
    }
  }, 90_000); // starts DynamoDB Local (a JVM): slow on a loaded 2-core machine

  it('says clearly which port is taken and leaves nothing running', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startLocalStack({ settings: settings({ port }), log: quiet })).rejects.toThrow(`port ${port} is already in use`);
      await expect(startLocalStack({ settings: settings({ sesPort: port }), log: quiet })).rejects.toThrow(
        `SES emulator: port ${port} is already in use`,
      );
      await expect(startLocalStack({ settings: settings({ dynamodbPort: port }), log: quiet })).rejects.toThrow(
        `port ${port} is already in use`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The failed starts released the data folder's database lock: a normal start works.
    const stack = await startLocalStack({ settings: settings(), log: quiet });
    await stack.stop();
    // Two or three starts of DynamoDB Local (a JVM each): on a busy 2-core machine over the 30 s default.
  }, 90_000);

  it('while it starts, the port answers 503 with the same security headers as the app', async () => {
    // A free port for the app, known before the stack starts.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    // A stand-in DynamoDB endpoint holds the stack in its start: when the stack asks for its table,
    // the app's port is fetched, then the request is refused (not retried), so the start fails.
    let answer: Response | undefined;
    const dynamo = createHttpServer((req, res) => {
      req.resume();
      void fetch(`http://127.0.0.1:${port}/`).then(
        (r) => {
          answer = r;
          res
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
            .end(JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: 'held by the test' }));
        },
        () => res.writeHead(400).end(),
      );
    });
    await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(dynamo.address() as { port: number }).port}`;
      await expect(startLocalStack({ settings: settings({ port, dynamodbEndpoint: endpoint }), log: quiet })).rejects.toThrow(
        'Cannot reach DynamoDB',
      );
    } finally {
      await new Promise((resolve) => dynamo.close(resolve));
    }
    expect(answer?.status).toBe(503);
    expect(answer?.headers.get('retry-after')).toBe('1');
    expect(answer?.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer?.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(answer?.headers.get('cache-control')).toBe('no-store');
  }, 90_000); // starts DynamoDB Local (a JVM): slow on a loaded 2-core machine

  it('runs the wired drip on its ticker and through POST /__local/drip, and stop waits for a running tick', async () => {
    let release: () => void = () => undefined;
    let tickStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (tickStarted = resolve));
    const calls: { now: Date; deadline: Date }[] = [];
    let finished = false;
    const createRunDrip = (): RunDrip => async (o) => {
      calls.push(o);
      if (calls.length === 1) {
        tickStarted();
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
      }
      return summary;
    };
    const stack = await startLocalStack({ settings: sharedDbSettings({ dripEveryMs: 1000 }), createRunDrip, log: quiet });
    await started;
    // The ticker's tick is still running; the HTTP route runs its own.
    const res = await fetch(`${stack.url}/__local/drip`, {
      method: 'POST',
      body: JSON.stringify({ at: '2026-06-01T09:00:00Z' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await res.json()).toEqual(summary);
    expect(calls[1]?.now.toISOString()).toBe('2026-06-01T09:00:00.000Z');

    const stopping = stack.stop().then(() => finished);
    release();
    expect(await stopping).toBe(true);
  }, 90_000); // starts DynamoDB Local (a JVM): slow on a loaded 2-core machine
});

describe('local settings', () => {
  it('uses the documented defaults', () => {
    const s = parseLocalSettings({});
    expect(s).toMatchObject({ port: 3000, sesPort: 8005, dynamodbPort: 8000, dataDir: '.local', dripEveryMs: 60_000 });
    expect(s.publicUrl).toBeUndefined();
    expect(s.dynamodbEndpoint).toBeUndefined();
    expect(s.sesEndpoint).toBeUndefined();
    expect(s.app.tableName).toBe('email-course');
  });

  it('reads every setting, including the standard AWS endpoint variables', () => {
    const s = parseLocalSettings({
      PORT: '4000',
      SES_PORT: '9005',
      DYNAMODB_PORT: '9000',
      DATA_DIR: '/tmp/x',
      PUBLIC_URL: 'https://course.example.com/',
      DRIP_EVERY: '30s',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000',
      AWS_ENDPOINT_URL_SES: 'http://localhost:8005/',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(s).toMatchObject({
      port: 4000,
      sesPort: 9005,
      dynamodbPort: 9000,
      dataDir: '/tmp/x',
      publicUrl: 'https://course.example.com',
      dripEveryMs: 30_000,
      dynamodbEndpoint: 'http://localhost:8000',
      sesEndpoint: 'http://localhost:8005',
    });
    expect(s.app.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('reads intervals and turns the ticker off with 0', () => {
    expect(parseInterval('0')).toBe(0);
    expect(parseInterval('1m')).toBe(60_000);
    expect(parseInterval('90s')).toBe(90_000);
    expect(parseInterval('2h')).toBe(7_200_000);
    expect(parseInterval('45')).toBe(45_000);
  });

  it('names the setting that is wrong', () => {
    expect(() => parseLocalSettings({ PORT: 'abc' })).toThrow('PORT');
    expect(() => parseLocalSettings({ SES_PORT: '70000' })).toThrow('SES_PORT');
    expect(() => parseLocalSettings({ DRIP_EVERY: 'weekly' })).toThrow('DRIP_EVERY');
    expect(() => parseLocalSettings({ DRIP_EVERY: '10ms' })).toThrow('DRIP_EVERY');
    expect(() => parseLocalSettings({ PUBLIC_URL: 'not a url' })).toThrow('PUBLIC_URL');
    expect(() => parseLocalSettings({ AWS_ENDPOINT_URL_SES: 'ftp://x' })).toThrow('AWS_ENDPOINT_URL_SES');
  });
});

describe('local data that cannot be used stops the start, naming the file or folder and what to do', () => {
  async function freshDir(): Promise<string> {
    return mkdtemp(join(tmpdir(), 'course-data-'));
  }
  // The checks run before the database starts; the starts that get past them use the run's shared
  // DynamoDB Local (a table of their own, localStackEnv) and one SES emulator (AWS_ENDPOINT_URL_*), so
  // no test here waits for another JVM.
  let ses: RunningService | undefined;
  beforeAll(async () => {
    ses = await startSesEmulator();
  });
  afterAll(async () => {
    await ses?.close();
  });
  const start = (dir: string, shared = false) =>
    startLocalStack({
      settings: {
        ...parseLocalSettings({
          DATA_DIR: dir,
          DRIP_EVERY: '0',
          ...(shared ? { ...localStackEnv(), AWS_ENDPOINT_URL_SES: ses!.url } : {}),
        }),
        port: 0,
        sesPort: 0,
        dynamodbPort: 0,
      },
      log: quiet,
    });
  /** A data folder as a stopped `npm start` leaves it: the database's files and the key. */
  async function usedDir(): Promise<string> {
    const dir = await freshDir();
    await mkdir(join(dir, 'dynamodb'));
    await writeFile(join(dir, 'dynamodb', 'shared-local-instance.db'), 'SQLite format 3\u0000');
    await writeFile(join(dir, 'token.key'), `${Buffer.alloc(32, 7).toString('base64url')}\n`);
    return dir;
  }

  it.each([
    ['text that is not base64url', 'this is not a key\n'],
    ['standard base64 (+ and /)', `${'+/'.repeat(21)}A\n`],
    ['a key too short', `${Buffer.alloc(16, 1).toString('base64url')}\n`],
    ['43 characters that are not a canonical encoding', `${'A'.repeat(42)}B\n`],
    ['an empty file', ''],
  ])('a token.key holding %s', async (_what, text) => {
    const dir = await usedDir();
    try {
      await writeFile(join(dir, 'token.key'), text);
      const failed = start(dir);
      await expect(failed).rejects.toThrow(`The token key ${join(dir, 'token.key')} is damaged`);
      await expect(failed).rejects.toThrow(/Restore it from a backup/);
      // Nothing replaced the damaged file.
      expect(await readFile(join(dir, 'token.key'), 'utf8')).toBe(text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a token.key missing next to existing data', async () => {
    const dir = await usedDir();
    try {
      await unlink(join(dir, 'token.key'));
      await expect(start(dir)).rejects.toThrow(`The token key ${join(dir, 'token.key')} is missing, but ${dir} holds data`);
      await expect(readFile(join(dir, 'token.key'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a fresh, empty data folder gets a new key, and the same one on the next start', async () => {
    const dir = await freshDir();
    try {
      const first = await start(dir, true);
      await first.stop();
      const key = await readFile(join(dir, 'token.key'), 'utf8');
      expect(key.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const second = await start(dir, true);
      await second.stop();
      expect(await readFile(join(dir, 'token.key'), 'utf8')).toBe(key);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a database folder that is not a folder', async () => {
    const dir = await usedDir();
    try {
      await rm(join(dir, 'dynamodb'), { recursive: true });
      await writeFile(join(dir, 'dynamodb'), 'not a database');
      await expect(start(dir)).rejects.toThrow(
        `The local database in ${join(dir, 'dynamodb')} cannot be opened or read (it is not a folder)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a damaged database file: DynamoDB Local starts but cannot read it', async () => {
    const dir = await usedDir();
    try {
      await writeFile(join(dir, 'dynamodb', 'shared-local-instance.db'), 'garbage, not SQLite');
      await expect(start(dir)).rejects.toThrow(
        `The local database in ${join(dir, 'dynamodb')} cannot be opened or read (Cannot reach DynamoDB to check table`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a DATA_DIR that is a file', async () => {
    const dir = await freshDir();
    try {
      const file = join(dir, 'data');
      await writeFile(file, 'x');
      await expect(start(file)).rejects.toThrow(`The data folder ${file} cannot be created or used`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
