// The edges strangers, bots and odd clients hit first, through real HTTP against the local
// stack (started once, free ports, a temporary DATA_DIR, PUBLIC_URL on https): GET and HEAD change
// nothing anywhere, the confirm button, no free text to strangers, unknown time zones, IDN domains,
// mailbox aliases, early answers on kept-alive connections, Retry-After and HSTS.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { keys, suppressionHash } from '../../../functions/adapters/table.js';
import { mailboxKey } from '../../../functions/core/mailbox.js';
import { SIGNUP_IP_WINDOW_SECONDS } from '../../../functions/core/signup.js';
import { emulatorEmails } from '../../../functions/local/services.js';
import { parseLocalSettings } from '../../../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../../../functions/local/stack.js';
import { localStackEnv, uniqueTableName } from '../../support/stack.js';

const PUBLIC_URL = 'https://course.example';
let stack: LocalStack;
const handedToSes: { to: string; raw: string }[] = [];
let dataDir: string;
let slug: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'course-edges-'));
  const settings = parseLocalSettings({
    DATA_DIR: dataDir,
    DRIP_EVERY: '0',
    PUBLIC_URL,
    SIGNUPS_PER_IP_PER_HOUR: '1000',
    ...localStackEnv(),
  });
  // The real SES emulator; the wrapper only notes what was handed to SES (the emulator's inbox shows
  // addresses as its mail parser decodes them, so an IDN domain appears there in Unicode).
  stack = await startLocalStack({
    settings: { ...settings, port: 0, sesPort: 0, dynamodbPort: 0 },
    log: () => undefined,
    decorateMailer: (mailer) => ({
      sendRaw: (m) => {
        handedToSes.push({ to: m.to, raw: Buffer.from(m.raw).toString('utf8') });
        return mailer.sendRaw(m);
      },
    }),
  });
  slug = stack.courses.all[0]!.course.slug;
});
afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A JSON signup; answers once the outbox has done its work (the answer itself never waits for it). */
async function signUp(fields: Record<string, string>): Promise<Response> {
  const res = await fetch(`${stack.url}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(fields),
  });
  await stack.signupsSettled();
  return res;
}

const inbox = async (address: string) =>
  (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.toLowerCase().includes(address.toLowerCase())));

async function confirmToken(address: string): Promise<string> {
  const mail = (await inbox(address)).at(-1);
  const token = /\/confirm\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
  if (!token) throw new Error(`no confirmation for ${address}`);
  return token;
}

async function lockOf(email: string): Promise<Record<string, unknown> | undefined> {
  return (await stack.doc.send(new GetCommand({ TableName: stack.tableName, Key: keys.address(slug, email), ConsistentRead: true }))).Item;
}
async function subscriberOf(email: string): Promise<Record<string, unknown> | undefined> {
  const lock = (await lockOf(mailboxKey(email))) ?? (await lockOf(email));
  if (!lock) return undefined;
  return (await stack.doc.send(new GetCommand({ TableName: stack.tableName, Key: keys.subscriber(String(lock.id)), ConsistentRead: true })))
    .Item;
}
const everything = async () => {
  const items = (await stack.doc.send(new ScanCommand({ TableName: stack.tableName, ConsistentRead: true }))).Items ?? [];
  return items.map((i) => JSON.stringify(i)).sort();
};
let n = 0;
const address = (label: string, domain = 'example.com') => `${label}-${Date.now().toString(36)}${n++}@${domain}`;

describe('GET and HEAD change nothing, on every route', () => {
  it('walks every GET route (and HEAD on each) with missing, bad and valid tokens: the table and the inbox stay exactly as they were', async () => {
    const pending = address('pending');
    await signUp({ email: pending, name: 'Pat' });
    const active = address('active');
    await signUp({ email: active });
    expect((await fetch(`${stack.url}/confirm?token=${await confirmToken(active)}`, { method: 'POST' })).status).toBe(200);
    const pendingToken = await confirmToken(pending);
    const activeToken = await confirmToken(active);
    const pendingId = String((await subscriberOf(pending))?.id);
    const activeId = String((await subscriberOf(active))?.id);
    const unsubscribe = (id: string) => stack.tokens.sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt: new Date() });
    const learn = (id: string) => stack.tokens.sign({ subscriberId: id, purpose: 'learn', issuedAt: new Date() });

    const paths = [
      '/',
      '/confirm',
      '/confirm?token=garbage',
      `/confirm?token=${pendingToken}`,
      `/confirm?token=${activeToken}`,
      `/confirm?token=${unsubscribe(pendingId)}`,
      '/unsubscribe',
      '/unsubscribe?token=garbage',
      `/unsubscribe?token=${unsubscribe(pendingId)}`,
      `/unsubscribe?token=${unsubscribe(activeId)}`,
      `/unsubscribe?token=${pendingToken}`,
      // The learner's pages and feedback links, and the controls (POST only).
      '/learn',
      '/learn?token=garbage',
      `/learn?token=${learn(activeId)}`,
      `/learn?token=${learn(activeId)}&done=paused`,
      `/learn?token=${learn(pendingId)}`,
      `/learn?token=${unsubscribe(activeId)}`,
      `/learn/lessons/1?token=${learn(activeId)}`,
      `/learn/lessons/x?token=${learn(activeId)}`,
      '/learn/lessons/1',
      `/feedback?token=${learn(activeId)}&lesson=1&vote=yes`,
      `/feedback?token=${learn(activeId)}&lesson=1&vote=maybe`,
      `/feedback?token=${pendingToken}&lesson=1&vote=no`,
      '/feedback',
      ...['pause', 'resume', 'next', 'restart', 'settings'].map((action) => `/learn/${action}?token=${learn(activeId)}`),
      // Routes that only take POST, and paths that are nothing.
      '/subscribe',
      '/__local/drip',
      '/courses/x',
      `/courses/${stack.courses.all[0]!.course.slug}`,
      '/confirm/extra/',
      // The learner's controls take only POST.
      ...['pause', 'resume', 'next', 'restart', 'settings'].flatMap((control) => [
        `/learn/${control}`,
        `/learn/${control}?token=garbage`,
        `/learn/${control}?token=${learn(activeId)}&until=2026-12-31&sendHour=07:00&cadenceDays=7`,
        `/learn/${control}?token=${learn(pendingId)}`,
      ]),
    ];
    // Every GET route the app has is among them (a new route must be added here).
    const getRoutes = stack.app.routes.filter((r) => r.method === 'GET').map((r) => r.path);
    const walked = (route: string) => new RegExp(`^${route.replace(/:[^/]+/g, '[^/]+')}$`);
    for (const route of getRoutes)
      expect(
        paths.some((p) => walked(route).test(p.split('?')[0]!)),
        route,
      ).toBe(true);

    const tableBefore = await everything();
    const inboxBefore = (await emulatorEmails(stack.inboxUrl)).length;
    for (const path of paths) {
      for (const accept of ['text/html', 'application/json']) {
        const get = await fetch(`${stack.url}${path}`, { headers: { accept } });
        expect(get.status, `GET ${path}`).toBeLessThan(500);
        await get.arrayBuffer();
        const head = await fetch(`${stack.url}${path}`, { method: 'HEAD', headers: { accept } });
        expect(head.status, `HEAD ${path}`).toBe(get.status);
        expect(await head.text(), `HEAD ${path}`).toBe('');
      }
    }
    await stack.signupsSettled();
    expect(await everything()).toEqual(tableBefore);
    expect((await emulatorEmails(stack.inboxUrl)).length).toBe(inboxBefore);
    expect((await subscriberOf(pending))?.status).toBe('pending');
    expect((await subscriberOf(active))?.status).toBe('active');
  });
});

describe('confirm with a button', () => {
  it('GET shows the course and the masked address with one button that POSTs; POST activates; a second POST answers the same and changes nothing', async () => {
    const email = address('button');
    await signUp({ email });
    const token = await confirmToken(email);

    const page = await fetch(`${stack.url}/confirm?token=${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(stack.courses.all[0]!.course.title);
    expect(html).toContain(`${email[0]}***@example.com`);
    expect(html).not.toContain(email);
    expect(html).toContain(`<form method="post" action="confirm?token=${token}">`);
    expect(html.match(/<button/g)).toHaveLength(1);
    // Nothing on the page submits the form by itself.
    expect(html).not.toContain('<script');
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect((await subscriberOf(email))?.status).toBe('pending');

    const json = await fetch(`${stack.url}/confirm?token=${token}`, { headers: { accept: 'application/json' } });
    expect(await json.json()).toEqual({
      ok: true,
      status: 'pending',
      maskedEmail: `${email[0]}***@example.com`,
      courseTitle: stack.courses.all[0]!.course.title,
    });

    const confirmed = await fetch(`${stack.url}/confirm?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(confirmed.status).toBe(200);
    const confirmedHtml = await confirmed.text();
    expect(confirmedHtml).toContain('You are subscribed');
    const active = await subscriberOf(email);
    expect(active?.status).toBe('active');

    const again = await fetch(`${stack.url}/confirm?token=${token}`, { method: 'POST' });
    expect(await again.text()).toBe(confirmedHtml);
    expect(await subscriberOf(email)).toEqual(active);
    // A used link opened again shows the same "subscribed" page, not the button.
    const used = await (await fetch(`${stack.url}/confirm?token=${token}`)).text();
    expect(used).toContain('You are subscribed');
    expect(used).not.toContain('<button');
  });

  it('an expired, ended or forged link gets the same clear pages on GET and POST, and changes nothing', async () => {
    const email = address('ended');
    await signUp({ email });
    const token = await confirmToken(email);
    const id = String((await subscriberOf(email))?.id);
    const unsubscribeToken = stack.tokens.sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt: new Date() });
    expect((await fetch(`${stack.url}/unsubscribe?token=${unsubscribeToken}`, { method: 'POST' })).status).toBe(200);
    const old = stack.tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt: new Date(Date.now() - 8 * 86_400_000) });
    for (const method of ['GET', 'POST']) {
      const ended = await fetch(`${stack.url}/confirm?token=${token}`, { method, headers: { accept: 'application/json' } });
      expect(ended.status).toBe(410);
      expect(((await ended.json()) as { error: { code: string } }).error.code).toBe('subscription_ended');
      const expired = await fetch(`${stack.url}/confirm?token=${old}`, { method });
      expect(expired.status).toBe(410);
      expect(await expired.text()).toContain('expired');
      const forged = await fetch(`${stack.url}/confirm?token=${token.slice(0, -3)}AAA`, { method });
      expect(forged.status).toBe(400);
    }
    expect((await subscriberOf(email))?.status).toBe('unsubscribed');
  });

  it('the confirmation email says one more click on the page starts the course', async () => {
    const email = address('wording');
    await signUp({ email });
    const text = ((await inbox(email)).at(-1)?.body.text ?? '').replace(/\s+/g, ' ');
    expect(text).toContain('One more click there, on its button, starts the course');
    expect(text).toContain(`${PUBLIC_URL}/confirm?token=`);
  });
});

describe('no free text to strangers', () => {
  it('the confirmation does not carry the name; lesson 1 does', async () => {
    const email = address('named');
    await signUp({ email, name: 'Winifred' });
    const [confirmation] = await inbox(email);
    expect(confirmation?.body.text).not.toContain('Winifred');
    expect(confirmation?.body.html).not.toContain('Winifred');
    expect(confirmation?.subject).not.toContain('Winifred');
    await fetch(`${stack.url}/confirm?token=${await confirmToken(email)}`, { method: 'POST' });
    // POST /__local/drip: one drip tick (it may also send lesson 1 to others confirmed above).
    const tick = await fetch(`${stack.url}/__local/drip`, { method: 'POST' });
    expect(((await tick.json()) as { sent: number }).sent).toBeGreaterThanOrEqual(1);
    expect((await inbox(email)).at(-1)?.body.text).toContain('Hi Winifred,');
  });

  it.each([
    'Hi Win a prize at http://prize.example',
    'www.prize-now.example',
    'prize.com',
    'Claim: bit.ly/abc',
    'Mail ann@prize.example',
    'https://xn--e1afmkfd.xn--p1ai',
  ])('a name that reads as a link or address (%s) is refused with a field error, nothing written or sent', async (name) => {
    const email = address('linkname');
    const before = await everything();
    const res = await signUp({ email, name });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_name', message: expect.stringContaining('first name'), field: 'name' } });
    expect(await everything()).toEqual(before);
    expect(await inbox(email)).toHaveLength(0);

    // The form (no script) gets the form back with the error at the field.
    const page = await fetch(`${stack.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, name }).toString(),
    });
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/id="name"[^>]*aria-invalid="true"/);
  });
});

describe('time zones', () => {
  it.each(['Etc/Unknown', 'Mars/Olympus', 'America/Atlantis', 'Etc/GMT+15'])(
    'a well-formed zone nobody knows (%s) gets the course zone, recorded as such',
    async (timezone) => {
      const email = address('zone');
      expect((await signUp({ email, timezone })).status).toBe(200);
      expect(await subscriberOf(email)).toMatchObject({
        timezone: stack.courses.all[0]!.course.defaultTimezone,
        unknownTimezone: timezone,
      });
      expect(await inbox(email)).toHaveLength(1);
    },
  );

  it.each([
    ['US/Eastern', 'US/Eastern'],
    ['Asia/Calcutta', 'Asia/Calcutta'],
    ['europe/kiev', 'Europe/Kiev'],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
  ])('the legacy or nested name %s keeps working', async (timezone, stored) => {
    const email = address('legacy');
    await signUp({ email, timezone });
    const subscriber = await subscriberOf(email);
    expect(subscriber?.timezone).toBe(stored);
    expect(subscriber?.unknownTimezone).toBeUndefined();
  });

  it.each(['Europe/Paris\u0000', 'not a zone', '<script>', `Etc/${'A'.repeat(70)}`])(
    'a malformed zone (%j) is still a 400',
    async (timezone) => {
      const res = await signUp({ email: address('badzone'), timezone });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe('timezone');
    },
  );
});

describe('internationalised domains', () => {
  it.each([
    ['bücher.example', 'xn--bcher-kva.example'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['пример.рф', 'xn--e1afmkfd.xn--p1ai'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
  ])('…@%s is stored and mailed as …@%s', async (unicode, ascii) => {
    const local = `idn-${Date.now().toString(36)}${n++}`;
    expect((await signUp({ email: `${local}@${unicode}` })).status).toBe(200);
    const subscriber = await subscriberOf(`${local}@${ascii}`);
    expect(subscriber?.email).toBe(`${local}@${ascii}`);
    const sent = handedToSes.filter((m) => m.to.startsWith(`${local}@`));
    expect(sent.map((m) => m.to)).toEqual([`${local}@${ascii}`]);
    expect(sent[0]?.raw).toMatch(new RegExp(`^To: ${local}@${ascii.replace(/\./g, '\\.')}\r?$`, 'm'));
    // The emulator received it (its inbox decodes the domain for display).
    expect(await inbox(`${local}@`)).toHaveLength(1);
  });

  it('the Unicode and ASCII spellings are one address for dedupe and suppression', async () => {
    const local = `same-${Date.now().toString(36)}`;
    await signUp({ email: `${local}@bücher.example` });
    await signUp({ email: `${local}@xn--bcher-kva.example` });
    expect(handedToSes.filter((m) => m.to.startsWith(`${local}@`)).map((m) => m.to)).toEqual([`${local}@xn--bcher-kva.example`]);

    const stopped = `stopped-${Date.now().toString(36)}`;
    await stack.doc.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: { ...keys.suppression(suppressionHash(`${stopped}@xn--mnchen-3ya.de`)), reason: 'complaint' },
      }),
    );
    expect((await signUp({ email: `${stopped}@MÜNCHEN.de` })).status).toBe(200);
    expect(handedToSes.filter((m) => m.to.startsWith(`${stopped}@`))).toHaveLength(0);
    expect(await subscriberOf(`${stopped}@xn--mnchen-3ya.de`)).toBeUndefined();
  });

  it.each(['a@⒈.example', 'a@xn--a.example', 'a@b\u200d.example', 'a@bücher-.example'])(
    'a domain that cannot be converted (%s) is refused with a clear error, nothing written',
    async (email) => {
      const before = await everything();
      const res = await signUp({ email });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: { code: 'invalid_email', message: expect.stringContaining('after the @'), field: 'email' },
      });
      expect(await everything()).toEqual(before);
    },
  );
});

describe('one mailbox, however it is spelled', () => {
  it('nine Gmail aliases of one inbox (dots, +tags, googlemail.com, case) get one subscription and one confirmation, to the address first typed', async () => {
    const user = `reader${Date.now().toString(36)}`;
    const spelled = [
      `${user}@gmail.com`,
      `${user.slice(0, 3)}.${user.slice(3)}@gmail.com`,
      `${user}+course@gmail.com`,
      `${user}@googlemail.com`,
      `${user.toUpperCase()}@GMAIL.COM`,
      `${[...user].join('.')}@gmail.com`,
      `${user}+a+b@googlemail.com`,
      `${user.slice(0, 2)}.${user.slice(2)}+x@googlemail.com`,
      `${user}+@gmail.com`,
    ];
    for (const email of spelled) expect((await signUp({ email })).status).toBe(200);
    const mails = (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => mailboxKey(t) === `${user}@gmail.com`));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.destination.to).toEqual([spelled[0]]);
    expect((await subscriberOf(spelled[3]!))?.email).toBe(spelled[0]);
  });

  it('+tags on other domains are one mailbox too; different people stay apart', async () => {
    const user = `ann${Date.now().toString(36)}`;
    await signUp({ email: `${user}+news@example.org` });
    await signUp({ email: `${user}+course@example.org` });
    await signUp({ email: `${user}@example.org` });
    await signUp({ email: `${user}.b@example.org` });
    const to = (await emulatorEmails(stack.inboxUrl)).flatMap((e) => e.destination.to).filter((t) => t.includes(user));
    expect(to.sort()).toEqual([`${user}+news@example.org`, `${user}.b@example.org`].sort());
  });

  it('a lock stored before mailbox keys (under the address as typed) keeps working', async () => {
    const email = `old.style+x${Date.now().toString(36)}@gmail.com`;
    const id = `legacy${Date.now().toString(36)}`;
    await stack.doc.send(new PutCommand({ TableName: stack.tableName, Item: { ...keys.address(slug, email), id, course: slug, email } }));
    await stack.doc.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          ...keys.subscriber(id),
          id,
          course: slug,
          email,
          timezone: 'UTC',
          status: 'active',
          nextLesson: 1,
          consent: { at: '2026-01-01T00:00:00Z', ip: '1', userAgent: 'x', page: 'y' },
          createdAt: '2026-01-01T00:00:00Z',
        },
      }),
    );
    expect((await signUp({ email })).status).toBe(200);
    // No confirmation: the learner (found under the old lock) gets the "already subscribed" email only.
    expect((await inbox(email)).map((m) => m.subject)).toEqual([`You are already subscribed to ${stack.courses.all[0]!.course.title}`]);
    const subscribers =
      (
        await stack.doc.send(
          new ScanCommand({
            TableName: stack.tableName,
            FilterExpression: 'email = :e AND sk = :p',
            ExpressionAttributeValues: { ':e': email, ':p': 'PROFILE' },
          }),
        )
      ).Items ?? [];
    expect(subscribers).toHaveLength(1);
  });
});

/** One request on `agent`; answers the response and its body. */
function send(
  agent: Agent,
  options: { method: string; path: string; headers?: Record<string, string | number>; body?: Buffer[] },
): Promise<{ res: IncomingMessage; body: string }> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: Number(url.port), method: options.method, path: options.path, headers: options.headers, agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ res, body }));
      },
    );
    // The server may answer and close before the whole body is written: that is the point.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    for (const chunk of options.body ?? []) req.write(chunk);
    req.end();
  });
}

describe('answers sent before the body was read close the connection', () => {
  const big = Buffer.alloc(64 * 1024, 'a');
  const cases: { name: string; method: string; path: string; headers: Record<string, string | number>; body: Buffer[]; status: number }[] =
    [
      {
        name: '413 on Content-Length',
        method: 'POST',
        path: '/subscribe',
        headers: { 'content-type': 'application/json', 'content-length': big.length },
        body: [big],
        status: 413,
      },
      {
        name: '413 on a chunked body',
        method: 'POST',
        path: '/subscribe',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        body: [big.subarray(0, 8192), big.subarray(8192)],
        status: 413,
      },
      {
        name: '415 on the content type',
        method: 'POST',
        path: '/subscribe',
        headers: { 'content-type': 'text/plain', 'content-length': 5000 },
        body: [Buffer.alloc(5000, 'b')],
        status: 415,
      },
      {
        name: '415 on a chunked body',
        method: 'POST',
        path: '/subscribe',
        headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
        body: [Buffer.alloc(3000, 'c')],
        status: 415,
      },
      {
        name: '400 on a bad token (query) with a body',
        method: 'POST',
        path: '/confirm?token=forged',
        headers: { 'content-type': 'application/json', 'content-length': 4000 },
        body: [Buffer.alloc(4000, ' ')],
        status: 400,
      },
      {
        name: '404 on a path with a body',
        method: 'POST',
        path: '/nothing',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        body: [Buffer.alloc(2000, ' ')],
        status: 404,
      },
    ];
  for (const c of cases) {
    it(`${c.name}: Connection: close, and the next request on the same keep-alive agent works`, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = await send(agent, c);
        expect(first.res.statusCode).toBe(c.status);
        expect(first.res.headers.connection).toBe('close');
        const next = await send(agent, { method: 'GET', path: '/', headers: { accept: 'text/html' } });
        expect(next.res.statusCode).toBe(200);
        expect(next.body).toContain('<form');
      } finally {
        agent.destroy();
      }
    });
  }

  it('a good request keeps its connection alive', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { res } = await send(agent, { method: 'GET', path: '/' });
      expect(res.headers.connection).toBe('keep-alive');
    } finally {
      agent.destroy();
    }
  });
});

describe('headers', () => {
  it('Retry-After on a 429 is the time left in the limit window (a clock hour), not a fixed 10 minutes', async () => {
    const limited = await startLocalStack({
      // Its own table and limit, on the first stack's DynamoDB (the run's shared one) and SES emulator.
      settings: {
        ...parseLocalSettings({
          DATA_DIR: join(dataDir, 'limited'),
          DRIP_EVERY: '0',
          SIGNUPS_PER_IP_PER_HOUR: '2',
          TABLE_NAME: uniqueTableName(),
          AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbUrl,
          AWS_ENDPOINT_URL_SES: stack.inboxUrl,
        }),
        port: 0,
        sesPort: 0,
        dynamodbPort: 0,
      },
      log: () => undefined,
    });
    try {
      const post = () =>
        fetch(`${limited.url}/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: address('rate') }),
        });
      expect((await post()).status).toBe(200);
      expect((await post()).status).toBe(200);
      const before = Date.now() / 1000;
      const res = await post();
      const after = Date.now() / 1000;
      expect(res.status).toBe(429);
      const windowEnd = (t: number) => (Math.floor(t / SIGNUP_IP_WINDOW_SECONDS) + 1) * SIGNUP_IP_WINDOW_SECONDS;
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(Math.floor(windowEnd(after) - after));
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(windowEnd(before) - before) + 1);
      expect(res.headers.get('strict-transport-security')).toBeNull();
      await limited.signupsSettled();
    } finally {
      await limited.stop();
    }
  });

  it('Strict-Transport-Security on every answer when the public URL is https', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/confirm?token=x'],
      ['HEAD', '/unsubscribe'],
      ['POST', '/subscribe'],
      ['GET', '/nothing'],
    ] as const) {
      const res = await fetch(`${stack.url}${path}`, {
        method,
        ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
      });
      await res.arrayBuffer();
      expect(res.headers.get('strict-transport-security'), `${method} ${path}`).toBe('max-age=31536000');
    }
  });
});
