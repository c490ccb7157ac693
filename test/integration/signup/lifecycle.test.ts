// The subscriber lifecycle through the HTTP app, on real SDK clients against DynamoDB Local and the SES
// emulator: subscribe → confirm → unsubscribe, the same-answer rule, limits, and every bad input.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startTestStack, type TestStack } from '../../support/stack.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { keys, suppressionHash, DUE_SHARD_ATTR, DUE_SORT_ATTR } from '../../../functions/adapters/table.js';
import { SUBSCRIBE_MESSAGE, subscribe } from '../../../functions/core/signup.js';
import { SendError } from '../../../functions/core/ports.js';
import { processSignup, sweepSignups } from '../../../functions/core/signup-outbox.js';
import { DAY, MINUTE, PARTNER_ORIGIN, PUBLIC_URL, lifecycle, newAddress, type Lifecycle } from '../../support/lifecycle-setup.js';
import { compileShippedCourse } from '../../support/course.js';
import { idleDripSummary } from '../../support/drip-summary.js';

/** The confirm page's button (GET only shows the page). */
const POST = { method: 'POST' } as const;

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

let t: Lifecycle;
beforeEach(async () => {
  t = await lifecycle(stack, compiled);
});

const subscriberIdOf = async (email: string) => String((await t.addressLock(email))?.id);

describe('the whole lifecycle', () => {
  it('signs up by form, confirms from the email, gets due now, and leaves with one click', async () => {
    const email = newAddress('alice');
    const page = await t.postForm({ email: `  ${email.toUpperCase()} `, name: 'Alice', timezone: 'Europe/Paris', website: '' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('Check your inbox');

    // Stored pending, address trimmed and lower-cased, with its consent record and a 7-day TTL.
    const id = await subscriberIdOf(email);
    const pending = await t.subscriber(id);
    expect(pending).toMatchObject({ email, name: 'Alice', timezone: 'Europe/Paris', status: 'pending', nextLesson: 0 });
    expect(pending?.consent).toEqual({ at: '2026-03-02T10:00:00.000Z', ip: '198.51.100.7', userAgent: 'vitest', page: `${PUBLIC_URL}/` });
    expect(pending?.expiresAt).toBe(Date.parse('2026-03-09T10:00:00.000Z') / 1000);
    expect(pending?.[DUE_SHARD_ATTR]).toBeUndefined();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(id).not.toContain('alice');

    const mails = await t.emailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe(compiled.course.confirmation.subject);
    // The name waits for lesson 1: nothing a stranger typed but the address goes to an unconfirmed address.
    expect(mails[0]?.text).not.toContain('Alice');
    expect(mails[0]?.html).not.toContain('Alice');
    expect(mails[0]?.text).toContain(`${PUBLIC_URL}/confirm?token=`);

    t.clock.advance(5 * MINUTE);
    const token = await t.confirmToken(email);
    const confirmed = await t.app.request(`/confirm?token=${token}`, POST);
    expect(confirmed.status).toBe(200);
    const confirmedHtml = await confirmed.text();
    expect(confirmedHtml).toContain('You are subscribed');

    const active = await t.subscriber(id);
    expect(active).toMatchObject({
      status: 'active',
      nextLesson: 0,
      confirmedAt: '2026-03-02T10:05:00.000Z',
      nextSendAt: '2026-03-02T10:05:00.000Z',
    });
    expect(active?.[DUE_SORT_ATTR]).toBe(`2026-03-02T10:05:00.000Z#${id}`);
    expect(active?.[DUE_SHARD_ATTR]).toMatch(/^DUE#[0-7]$/);
    expect(active?.expiresAt).toBeUndefined();
    expect((await t.addressLock(email))?.expiresAt).toBeUndefined();

    // A second click: same page, nothing changes, nothing sent.
    t.clock.advance(MINUTE);
    const again = await t.app.request(`/confirm?token=${token}`, POST);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(confirmedHtml);
    expect(await t.subscriber(id)).toEqual(active);

    // The unsubscribe page names the course and a masked address; it changes nothing.
    const unsubscribeToken = t.unsubscribeToken(id);
    const view = await t.app.request(`/unsubscribe?token=${unsubscribeToken}`);
    expect(view.status).toBe(200);
    const viewHtml = await view.text();
    expect(viewHtml).toContain(`${email[0]}***@example.com`);
    expect(viewHtml).not.toContain(email);
    expect(viewHtml).toContain(compiled.course.title);
    expect(viewHtml).toMatch(/<form method="post" action="unsubscribe\?token=[A-Za-z0-9_-]+">/);
    expect(await t.subscriber(id)).toEqual(active);

    // RFC 8058 one-click from a mail client.
    const oneClick = await t.app.request(`/unsubscribe?token=${unsubscribeToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('You are unsubscribed');
    const gone = await t.subscriber(id);
    expect(gone).toMatchObject({ status: 'unsubscribed', unsubscribedAt: '2026-03-02T10:06:00.000Z' });
    expect(gone?.[DUE_SHARD_ATTR]).toBeUndefined();
    expect(gone?.[DUE_SORT_ATTR]).toBeUndefined();
    expect(gone?.nextSendAt).toBeUndefined();

    // Idempotent, and no email about it.
    const twice = await t.app.request(`/unsubscribe?token=${unsubscribeToken}`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(twice.status).toBe(200);
    expect(await twice.json()).toMatchObject({ ok: true, status: 'unsubscribed' });
    expect((await t.subscriber(id))?.unsubscribedAt).toBe('2026-03-02T10:06:00.000Z');
    expect(await t.emailsTo(email)).toHaveLength(1);
  });

  it('signs up with JSON and answers JSON', async () => {
    const email = newAddress();
    const res = await t.postJson({ email, timezone: 'america/new_york' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ ok: true, message: SUBSCRIBE_MESSAGE });
    const sub = await t.subscriber(await subscriberIdOf(email));
    // Canonical zone spelling; the page is the signup URL when there is no Referer.
    expect(sub).toMatchObject({ timezone: 'America/New_York', consent: { page: `${PUBLIC_URL}/` } });
    expect(sub?.name).toBeUndefined();
  });

  it('uses the course time zone when none is given', async () => {
    const email = newAddress();
    await t.postForm({ email });
    expect((await t.subscriber(await subscriberIdOf(email)))?.timezone).toBe(compiled.course.defaultTimezone);
  });

  it('an unsubscribed person who signs up again resumes at the next unsent lesson', async () => {
    const email = newAddress();
    await t.postJson({ email });
    const id = await subscriberIdOf(email);
    expect((await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST)).status).toBe(200);
    // As if the drip had sent lessons 1–3.
    await t.setAttributes(id, { nextLesson: 3, lastSentAt: '2026-03-16T09:00:00.000Z' });
    t.clock.advance(20 * DAY);
    await t.app.request(`/unsubscribe?token=${t.unsubscribeToken(id)}`, { method: 'POST' });
    expect((await t.subscriber(id))?.status).toBe('unsubscribed');

    t.clock.advance(DAY);
    expect((await t.postJson({ email, name: 'Back' })).status).toBe(200);
    const again = await t.subscriber(id);
    expect(again).toMatchObject({ status: 'pending', nextLesson: 3, name: 'Back' });
    expect(await t.emailsTo(email)).toHaveLength(2);

    const page = await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST);
    expect(page.status).toBe(200);
    // The page names the lesson that comes next, not lesson 1 again.
    const text = await page.text();
    expect(text).toContain('Lesson 4 goes out with the next scheduled send');
    expect(text).not.toContain('Lesson 1 goes out');
    const resumed = await t.subscriber(id);
    expect(resumed).toMatchObject({ status: 'active', nextLesson: 3, nextSendAt: t.clock.now().toISOString() });
    expect(await t.subscribers()).toHaveLength(1);
  });

  it('counts "unsubscribed after lesson n" once when someone who got lessons leaves', async () => {
    const email = newAddress();
    await t.postJson({ email });
    const id = await subscriberIdOf(email);
    await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST);
    await t.setAttributes(id, { nextLesson: 2 });
    const token = t.unsubscribeToken(id);
    await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST' });
    await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST' });
    const stats = (await t.items()).filter((i) => String(i.pk).startsWith('STATS#'));
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ ...keys.lessonStats(compiled.course.slug, 1), unsubscribed: 1 });
  });

  it('the unsubscribe button posts the token from the page and works', async () => {
    const email = newAddress();
    await t.postJson({ email });
    const id = await subscriberIdOf(email);
    const html = await (await t.app.request(`/unsubscribe?token=${t.unsubscribeToken(id)}`)).text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    expect(action).toBeDefined();
    const res = await t.app.request(`/${action!.replace(/&amp;/g, '&')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res.status).toBe(200);
    expect((await t.subscriber(id))?.status).toBe('unsubscribed');
  });
});

describe('the same answer for every address', () => {
  async function answers(email: string) {
    const json = await t.postJson({ email });
    const form = await t.postForm({ email });
    return { json: { status: json.status, body: await json.text() }, form: { status: form.status, body: await form.text() } };
  }

  it('new, pending, active, completed, unsubscribed, bounced, complained and suppressed addresses get identical answers', async () => {
    t = await lifecycle(stack, compiled, { signupsPerIpPerHour: 1000 });
    const fresh = newAddress('new');
    const reference = await answers(fresh);

    const pending = newAddress('pending');
    await t.postJson({ email: pending });

    const active = newAddress('active');
    await t.postJson({ email: active });
    await t.app.request(`/confirm?token=${await t.confirmToken(active)}`, POST);

    const others: Record<string, string> = {};
    for (const status of ['completed', 'unsubscribed', 'bounced', 'complained'] as const) {
      const email = newAddress(status);
      await t.postJson({ email });
      await t.setAttributes(await subscriberIdOf(email), { status });
      others[status] = email;
    }
    const suppressed = newAddress('suppressed');
    await stack.doc.send(new PutCommand({ TableName: t.table, Item: { ...keys.suppression(suppressionHash(suppressed)) } }));

    for (const email of [pending, active, suppressed, ...Object.values(others)]) {
      expect(await answers(email)).toEqual(reference);
    }
    expect(reference.json.status).toBe(200);
  });

  it('mails a confirmation only where one is due: never to active, bounced, complained or suppressed addresses', async () => {
    const cases: Record<string, string> = {};
    for (const status of ['active', 'completed', 'bounced', 'complained'] as const) {
      const email = newAddress(status);
      await t.postJson({ email });
      await t.setAttributes(await subscriberIdOf(email), { status });
      cases[status] = email;
    }
    const suppressed = newAddress('suppressed');
    await stack.doc.send(new PutCommand({ TableName: t.table, Item: { ...keys.suppression(suppressionHash(suppressed)) } }));

    t.clock.advance(11 * MINUTE);
    for (const email of Object.values(cases)) await t.postJson({ email });
    await t.postJson({ email: suppressed });

    // The original confirmation only; an active learner also gets the "already subscribed" email,
    // which is no confirmation (no confirm link).
    for (const [status, email] of Object.entries(cases)) {
      const mails = await t.emailsTo(email);
      if (status !== 'active') expect(mails).toHaveLength(1);
      else {
        expect(mails).toHaveLength(2);
        expect(mails[1]?.subject).toMatch(/^You are already subscribed/);
        expect(mails[1]?.text).not.toContain('/confirm?token=');
      }
    }
    expect(await t.emailsTo(suppressed)).toHaveLength(0);
    expect(await t.addressLock(suppressed)).toBeUndefined();
  });
});

describe('at most one confirmation per address per 10 minutes', () => {
  it('10 parallel signups of one address make one subscription and at most one email', async () => {
    const email = newAddress('burst');
    const spellings = Array.from({ length: 10 }, (_, i) => (i % 2 ? email.toUpperCase() : ` ${email}`));
    const results = await Promise.all(spellings.map((e) => t.postJson({ email: e })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const subs = await t.subscribers();
    expect(subs).toHaveLength(1);
    expect(subs[0]?.email).toBe(email);
    expect((await t.items()).filter((i) => String(i.pk).startsWith('ADDR#'))).toHaveLength(1);
    expect((await t.emailsTo(email)).length).toBeLessThanOrEqual(1);
    expect(await t.emailsTo(email)).toHaveLength(1);
  });

  it('a pending address gets a new confirmation only after 10 minutes', async () => {
    const email = newAddress();
    await t.postJson({ email });
    t.clock.advance(9 * MINUTE);
    await t.postJson({ email });
    expect(await t.emailsTo(email)).toHaveLength(1);
    t.clock.advance(2 * MINUTE);
    await t.postJson({ email });
    expect(await t.emailsTo(email)).toHaveLength(2);
    // Both links work until they expire; the newest one confirms.
    expect((await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST)).status).toBe(200);
  });

  it('10 parallel signups of a pending address past its window send one more email', async () => {
    const email = newAddress();
    await t.postJson({ email });
    t.clock.advance(11 * MINUTE);
    await Promise.all(Array.from({ length: 10 }, () => t.postJson({ email })));
    expect(await t.emailsTo(email)).toHaveLength(2);
  });

  it('an expired pending subscription can sign up again and its old link no longer works', async () => {
    const email = newAddress();
    await t.postJson({ email });
    const oldToken = await t.confirmToken(email);
    t.clock.advance(8 * DAY);
    const stale = await t.app.request(`/confirm?token=${oldToken}`, POST);
    expect(stale.status).toBe(410);
    expect(await stale.text()).toContain('expired');

    expect((await t.postJson({ email })).status).toBe(200);
    expect(await t.emailsTo(email)).toHaveLength(2);
    const res = await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST);
    expect(res.status).toBe(200);
    const lock = await t.addressLock(email);
    expect((await t.subscriber(String(lock?.id)))?.status).toBe('active');
    expect(lock?.expiresAt).toBeUndefined();
  });

  it('a confirmation SES refuses stays in the outbox and goes out once at a later sweep', async () => {
    // SES itself is emulated; only the failure is injected, as real SES would throttle.
    let fail = true;
    t = await lifecycle(stack, compiled, {
      mailer: (real) => ({
        sendRaw: (m) => (fail ? Promise.reject(new SendError('throttled', 'Maximum sending rate exceeded')) : real.sendRaw(m)),
      }),
    });
    const email = newAddress();
    const first = await t.postJson({ email });
    // The answer does not depend on SES: the signup is stored and its mail retried.
    expect(first.status).toBe(200);
    expect(await t.emailsTo(email)).toHaveLength(0);
    const waiting = (await t.items()).filter((i) => i.pk === 'OUTBOX');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ attempts: 1, lastError: expect.stringContaining('could not be sent') });

    // Moved to its retry time in the outbox's order, a week's TTL from its arrival kept.
    expect(waiting[0]).toMatchObject({
      sk: expect.stringMatching(/^SIGNUP#2026-03-02T10:00:30\.000Z#/),
      expiresAt: Date.parse('2026-03-09T10:00:00.000Z') / 1000,
    });

    fail = false;
    // Not before its retry time: not even read (a sweep reads only due requests)…
    expect(await sweepSignups(t.deps, { deadline: new Date(t.clock.now().getTime() + MINUTE) })).toMatchObject({
      found: 0,
      done: 0,
    });
    expect(await t.emailsTo(email)).toHaveLength(0);
    // …then once.
    t.clock.advance(MINUTE);
    expect(await sweepSignups(t.deps, { deadline: new Date(t.clock.now().getTime() + MINUTE) })).toMatchObject({ found: 1, done: 1 });
    expect(await sweepSignups(t.deps, { deadline: new Date(t.clock.now().getTime() + MINUTE) })).toMatchObject({ found: 0 });
    expect(await t.emailsTo(email)).toHaveLength(1);
    expect((await t.items()).filter((i) => i.pk === 'OUTBOX')).toHaveLength(0);
  });

  it('a crash after a signup was stored sends its confirmation once the service is back', async () => {
    t = await lifecycle(stack, compiled);
    // The process "dies" right after answering: nothing processes the request.
    delete t.deps.outbox;
    const email = newAddress();
    expect((await t.postJson({ email })).status).toBe(200);
    expect(await t.emailsTo(email)).toHaveLength(0);
    expect(await t.subscribers()).toHaveLength(0);
    // Back: the first drip run's sweep sends it.
    expect(await sweepSignups(t.deps, { deadline: new Date(t.clock.now().getTime() + MINUTE) })).toMatchObject({ found: 1, done: 1 });
    expect(await t.emailsTo(email)).toHaveLength(1);
    expect((await t.subscribers())[0]).toMatchObject({ email, status: 'pending' });
  });

  it('a crash between writing the subscription and mailing it sends that confirmation after the lease, not "recently sent"', async () => {
    t = await lifecycle(stack, compiled);
    delete t.deps.outbox;
    const email = newAddress();
    await t.postJson({ email });
    const [request] = (await t.deps.store.dueSignups(t.clock.now(), 10)).requests;
    // A worker that writes the subscription and then hangs in the SES call, as if it had died there.
    const hung = { ...t.deps, mailer: { sendRaw: () => new Promise<never>(() => undefined) } };
    void processSignup(hung, request!);
    await vi.waitFor(async () => expect((await t.subscribers())[0]?.confirmationRequest).toBe(request!.requestId));
    expect(await t.emailsTo(email)).toHaveLength(0);
    // Within the lease nobody else takes it; after it, the sweep sends the confirmation once.
    expect(await sweepSignups(t.deps, { deadline: new Date(t.clock.now().getTime() + MINUTE) })).toMatchObject({ taken: 1 });
    t.clock.advance(2 * MINUTE);
    expect(await sweepSignups(t.deps, { deadline: new Date(t.clock.now().getTime() + MINUTE) })).toMatchObject({ done: 1 });
    expect(await t.emailsTo(email)).toHaveLength(1);
    expect(await sweepSignups(t.deps, { deadline: new Date(t.clock.now().getTime() + MINUTE) })).toMatchObject({ found: 0 });
  });

  it('answers before anything about the address is read: active, suppressed and new addresses add one outbox request each, nothing else', async () => {
    t = await lifecycle(stack, compiled);
    const active = newAddress('active');
    await t.postJson({ email: active });
    await t.app.request(`/confirm?token=${await t.confirmToken(active)}`, POST);
    const suppressed = newAddress('suppressed');
    await stack.doc.send(
      new PutCommand({ TableName: t.table, Item: { ...keys.suppression(suppressionHash(suppressed)), reason: 'complaint' } }),
    );
    delete t.deps.outbox;
    const before = await t.items();
    for (const email of [active, suppressed, newAddress('new')]) {
      const res = await t.postJson({ email }, { accept: 'application/json' });
      expect(await res.json()).toEqual({ ok: true, message: SUBSCRIBE_MESSAGE });
    }
    const after = await t.items();
    const key = (i: Record<string, unknown>) => `${String(i.pk)} ${String(i.sk)}`;
    const added = after.filter((i) => !before.some((b) => key(b) === key(i)));
    expect(added.map((i) => i.pk)).toEqual(['OUTBOX', 'OUTBOX', 'OUTBOX']);
    // Only the IP's counter moved among what was there.
    const changed = before.filter((b) => JSON.stringify(after.find((i) => key(i) === key(b))) !== JSON.stringify(b));
    expect(changed.map((i) => String(i.pk).split('#')[0])).toEqual(['RATE']);
  });
});

describe('the per-IP limit', () => {
  it('answers 429 after the hourly number of signups from one IP, and not for another IP or the next hour', async () => {
    t = await lifecycle(stack, compiled, { signupsPerIpPerHour: 3 });
    for (let i = 0; i < 3; i++) expect((await t.postJson({ email: newAddress() })).status).toBe(200);
    const email = newAddress('limited');
    const limited = await t.postJson({ email });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(await limited.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(await t.emailsTo(email)).toHaveLength(0);
    expect(await t.addressLock(email)).toBeUndefined();

    const page = await t.postForm({ email });
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);

    expect((await t.postJson({ email }, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
    t.clock.advance(61 * MINUTE);
    expect((await t.postJson({ email: newAddress() })).status).toBe(200);
    // The counters expire on their own.
    const rate = (await t.items()).filter((i) => String(i.pk).startsWith('RATE#'));
    expect(rate.length).toBeGreaterThan(0);
    for (const r of rate) expect(typeof r.expiresAt).toBe('number');
  });
});

describe('bad input changes nothing', () => {
  const cases: { name: string; body: string; type?: string; status: number; code: string; field?: string }[] = [
    { name: 'a malformed address', body: JSON.stringify({ email: 'not-an-address' }), status: 400, code: 'invalid_email', field: 'email' },
    { name: 'a missing address', body: JSON.stringify({ name: 'Ann' }), status: 400, code: 'invalid_email', field: 'email' },
    {
      name: 'an address over 254 characters',
      body: JSON.stringify({ email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` }),
      status: 400,
      code: 'invalid_email',
      field: 'email',
    },
    {
      name: 'a CR/LF in the address',
      body: JSON.stringify({ email: 'a@example.com\r\nBcc: victim@example.com' }),
      status: 400,
      code: 'control_characters',
      field: 'email',
    },
    {
      name: 'a control character in the name',
      body: JSON.stringify({ email: 'a@example.com', name: 'Ann\u0000' }),
      status: 400,
      code: 'control_characters',
      field: 'name',
    },
    {
      name: 'a line break in the name',
      body: JSON.stringify({ email: 'a@example.com', name: 'Ann\nSubject: x' }),
      status: 400,
      code: 'control_characters',
      field: 'name',
    },
    {
      name: 'a malformed time zone',
      body: JSON.stringify({ email: 'a@example.com', timezone: 'Mars Olympus' }),
      status: 400,
      code: 'invalid_timezone',
      field: 'timezone',
    },
    {
      name: 'an overlong time zone',
      body: JSON.stringify({ email: 'a@example.com', timezone: `Etc/${'A'.repeat(70)}` }),
      status: 400,
      code: 'invalid_timezone',
      field: 'timezone',
    },
    {
      name: 'a name that is a link',
      body: JSON.stringify({ email: 'a@example.com', name: 'Win a prize at http://prize.example' }),
      status: 400,
      code: 'invalid_name',
      field: 'name',
    },
    {
      name: 'an address whose domain has no ASCII form',
      body: JSON.stringify({ email: 'a@bü\u00adcher..example' }),
      status: 400,
      code: 'invalid_email',
      field: 'email',
    },
    {
      name: 'a field of the wrong type',
      body: JSON.stringify({ email: ['a@example.com'] }),
      status: 400,
      code: 'invalid_email',
      field: 'email',
    },
    { name: 'broken JSON', body: '{"email": "a@example.com"', status: 400, code: 'invalid_json' },
    { name: 'JSON that is not an object', body: '["a@example.com"]', status: 400, code: 'invalid_input' },
    {
      name: 'a body over 10 KB',
      body: JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(11 * 1024) }),
      status: 413,
      code: 'body_too_large',
    },
    { name: 'an unsupported content type', body: 'email=a@example.com', type: 'text/plain', status: 415, code: 'unsupported_media_type' },
    { name: 'no content type', body: 'email=a@example.com', type: '', status: 415, code: 'unsupported_media_type' },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.status} ${c.code}, nothing written, no email`, async () => {
      const before = (await stack.emails()).length;
      const res = await t.app.request('/subscribe', {
        method: 'POST',
        headers: { 'content-type': c.type ?? 'application/json', accept: 'application/json', 'x-forwarded-for': '198.51.100.7' },
        body: c.body,
      });
      expect(res.status).toBe(c.status);
      const body = (await res.json()) as { error: { code: string; message: string; field?: string } };
      expect(body.error.code).toBe(c.code);
      expect(body.error.message.length).toBeGreaterThan(5);
      if (c.field) expect(body.error.field).toBe(c.field);
      expect(await t.items()).toEqual([]);
      expect((await stack.emails()).length).toBe(before);
    });
  }

  it('a browser form with a bad address gets the form back with the error at the field, nothing written', async () => {
    const res = await t.postForm({ email: 'nobody@', name: 'Ann <b>' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('That does not look like an email address');
    expect(html).toMatch(/id="email"[^>]*value="nobody@"[^>]*aria-invalid="true"/);
    // The error is the field's description, so a screen reader says why when focus lands on it.
    expect(html).toMatch(/id="email"[^>]*aria-describedby="form-message"/);
    expect(html).toMatch(/<p id="form-message"[^>]*>That does not look like an email address/);
    expect(html).not.toMatch(/id="name"[^>]*aria-describedby/);
    // Echoed values are escaped.
    expect(html).toContain('value="Ann &lt;b&gt;"');
    expect(html).not.toContain('Ann <b>');
    expect(await t.items()).toEqual([]);
  });

  it('a browser posting an oversized or unsupported body gets a readable page', async () => {
    const big = await t.app.request('/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=a%40example.com&name=${'x'.repeat(11 * 1024)}`,
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('larger than 10 KB');
    const odd = await t.app.request('/subscribe', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a' });
    expect(odd.status).toBe(415);
    expect(odd.headers.get('content-type')).toMatch(/text\/html/);
    expect(await t.items()).toEqual([]);
  });

  it('a form that gives a field twice is refused naming it, whatever the encoding, and nothing is written or sent', async () => {
    const email = newAddress('twice');
    const other = newAddress('other');
    const bodies: { name: string; field: string; body: string | FormData; type?: string }[] = [
      {
        name: 'url-encoded address',
        field: 'email',
        body: `email=${encodeURIComponent(email)}&email=${encodeURIComponent(other)}`,
        type: 'application/x-www-form-urlencoded',
      },
      // A filled honeypot followed by an empty copy must not pass for a person.
      {
        name: 'url-encoded honeypot',
        field: 'website',
        body: `email=${encodeURIComponent(email)}&website=spam&website=`,
        type: 'application/x-www-form-urlencoded',
      },
      {
        name: 'url-encoded time zone',
        field: 'timezone',
        body: `email=${encodeURIComponent(email)}&timezone=UTC&timezone=Europe%2FParis`,
        type: 'application/x-www-form-urlencoded',
      },
    ];
    const multipart = new FormData();
    multipart.append('email', email);
    multipart.append('email', other);
    bodies.push({ name: 'multipart address', field: 'email', body: multipart });
    for (const b of bodies) {
      const res = await t.app.request('/subscribe', {
        method: 'POST',
        headers: { accept: 'application/json', 'x-forwarded-for': '198.51.100.9', ...(b.type ? { 'content-type': b.type } : {}) },
        body: b.body,
      });
      expect(res.status, b.name).toBe(400);
      expect(await res.json(), b.name).toEqual({ error: { code: 'repeated_field', message: expect.any(String), field: b.field } });
    }
    expect(await t.items()).toEqual([]);
    expect(await t.emailsTo(email)).toHaveLength(0);
    expect(await t.emailsTo(other)).toHaveLength(0);
  });

  it('a filled honeypot gets the success answer and nothing is written or sent', async () => {
    const email = newAddress('bot');
    const reference = await t.postJson({ email: newAddress() });
    const before = await t.items();
    const res = await t.postJson({ email, website: 'https://spam.example' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(await reference.text());
    expect(await t.items()).toEqual(before);
    expect(await t.emailsTo(email)).toHaveLength(0);
    const form = await t.postForm({ email, website: 'x' });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Check your inbox');
    expect(await t.items()).toEqual(before);
  });
});

describe('link tokens', () => {
  async function setupActive() {
    const email = newAddress();
    await t.postJson({ email });
    const id = await subscriberIdOf(email);
    return { email, id, confirm: await t.confirmToken(email), unsubscribe: t.unsubscribeToken(id) };
  }

  it('a forged, tampered, truncated or missing token gets a 400 page (never a 500) and changes nothing', async () => {
    const { id, confirm, unsubscribe } = await setupActive();
    const before = await t.items();
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const bad = [
      'forged-token-made-up-by-someone',
      flip(confirm, 10),
      flip(confirm, confirm.length - 3),
      confirm.slice(0, -4),
      confirm.slice(0, 8),
      `${confirm}AA`,
      '%00%0d%0a',
      '',
    ];
    for (const token of bad) {
      for (const path of ['/confirm', '/unsubscribe']) {
        const res = await t.app.request(`${path}?token=${token}`);
        expect(res.status, `${path} ${token}`).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/text\/html/);
        expect(await res.text()).toContain('Go to the course page');
      }
      const post = await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST', headers: { accept: 'application/json' } });
      expect(post.status).toBe(400);
      expect(((await post.json()) as { error: { code: string } }).error.code).toMatch(/^token_(invalid|missing)$/);
    }
    const noToken = await t.app.request('/confirm');
    expect(noToken.status).toBe(400);
    expect(await t.items()).toEqual(before);
    expect((await t.subscriber(id))?.status).toBe('pending');
    void unsubscribe;
  });

  it('a token for the other purpose is refused both ways', async () => {
    const { id, confirm, unsubscribe } = await setupActive();
    const asConfirm = await t.app.request(`/confirm?token=${unsubscribe}`, { headers: { accept: 'application/json' } });
    expect(asConfirm.status).toBe(400);
    expect(await asConfirm.json()).toEqual({ error: { code: 'token_wrong_purpose', message: expect.any(String) } });
    const asUnsubscribe = await t.app.request(`/unsubscribe?token=${confirm}`, { method: 'POST' });
    expect(asUnsubscribe.status).toBe(400);
    expect((await t.subscriber(id))?.status).toBe('pending');
  });

  it('an expired confirm link gets 410; an old unsubscribe link still works', async () => {
    const { id, confirm, unsubscribe } = await setupActive();
    t.clock.advance(8 * DAY);
    const res = await t.app.request(`/confirm?token=${confirm}`, POST);
    expect(res.status).toBe(410);
    expect((await t.subscriber(id))?.status).toBe('pending');
    t.clock.advance(400 * DAY);
    expect((await t.app.request(`/unsubscribe?token=${unsubscribe}`, { method: 'POST' })).status).toBe(200);
    expect((await t.subscriber(id))?.status).toBe('unsubscribed');
  });

  it('a confirm link used after unsubscribing does not resubscribe', async () => {
    const { id, confirm, unsubscribe } = await setupActive();
    await t.app.request(`/unsubscribe?token=${unsubscribe}`, { method: 'POST' });
    const res = await t.app.request(`/confirm?token=${confirm}`, POST);
    expect(res.status).toBe(410);
    expect((await t.subscriber(id))?.status).toBe('unsubscribed');
  });

  it('a confirm click after a lesson went out says the next one comes at its scheduled time, and changes nothing', async () => {
    const { id, confirm } = await setupActive();
    expect((await t.app.request(`/confirm?token=${confirm}`, POST)).status).toBe(200);
    // As the drip leaves it after sending lesson 1: lesson 2 due next week.
    await t.setAttributes(id, { nextLesson: 1, nextSendAt: new Date(t.clock.now().getTime() + 7 * DAY).toISOString() });
    const before = await t.subscriber(id);
    const res = await t.app.request(`/confirm?token=${confirm}`, POST);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('Lesson 2 is on its way at its scheduled time');
    expect(body).not.toContain('within minutes');
    expect(await t.subscriber(id)).toEqual(before);
  });

  it('a token signed with another key is refused', async () => {
    const { createTokens } = await import('../../../functions/core/tokens.js');
    const { id } = await setupActive();
    const other = createTokens(Buffer.alloc(32, 9)).sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt: t.clock.now() });
    expect((await t.app.request(`/unsubscribe?token=${other}`, { method: 'POST' })).status).toBe(400);
    expect((await t.subscriber(id))?.status).toBe('pending');
  });
});

describe('GET /unsubscribe changes nothing', () => {
  it('leaves an active subscriber exactly as it was, however often it is fetched', async () => {
    const email = newAddress();
    await t.postJson({ email });
    const id = await subscriberIdOf(email);
    await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST);
    const before = await t.items();
    const token = t.unsubscribeToken(id);
    for (let i = 0; i < 3; i++) expect((await t.app.request(`/unsubscribe?token=${token}`)).status).toBe(200);
    expect((await t.app.request(`/unsubscribe?token=${token}`, { method: 'HEAD' })).status).toBeLessThan(500);
    expect(await t.items()).toEqual(before);
  });

  it('shows a plain page for a subscription that no longer exists', async () => {
    const token = t.unsubscribeToken('AAAAAAAAAAAAAAAAAAAAAA');
    const page = await t.app.request(`/unsubscribe?token=${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('no longer exists');
    expect((await t.app.request(`/unsubscribe?token=${token}`, { method: 'POST' })).status).toBe(200);
    expect(await t.items()).toEqual([]);
  });
});

describe('pages and headers', () => {
  it('the signup page comes from the manifest and has an accessible form with a hidden honeypot', async () => {
    const res = await t.app.request('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<h1>${compiled.course.title}</h1>`);
    for (const lesson of compiled.course.lessons)
      expect(html).toContain(`<li>${lesson.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}</li>`);
    expect(html).toContain('one lesson a week');
    expect(html).toMatch(/<label for="email">/);
    expect(html).toMatch(/<input id="email" name="email" type="email"[^>]*required/);
    expect(html).toMatch(/<input id="timezone" name="timezone" type="hidden"/);
    expect(html).toMatch(
      /<div class="hp" aria-hidden="true">.*<input id="website" name="website" type="text" tabindex="-1" autocomplete="off">/,
    );
    expect(html).toMatch(/aria-live="polite"/);
    expect(html).toContain('Intl.DateTimeFormat().resolvedOptions().timeZone');
  });

  it('the signup page carries the lessons’ medical disclaimer (the manifest’s), word for word', async () => {
    const disclaimer = compiled.course.disclaimer;
    expect(disclaimer?.text).toMatch(/not medical advice/);
    expect(compiled.lessons[0]!.html).toContain(`<strong>Medical disclaimer:</strong> ${disclaimer?.text ?? 'missing'}`);
    const html = await (await t.app.request('/')).text();
    expect(html).toContain(`<strong>Medical disclaimer:</strong> ${disclaimer?.text ?? 'missing'}`);
  });

  it('sends security headers and a CSP that allows exactly the page’s own inline script and style', async () => {
    const res = await t.app.request('/');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    const { createHash } = await import('node:crypto');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/ style="/);
    const json = await t.postJson({ email: 'bad' });
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect(json.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('allows CORS on POST /subscribe only for configured origins', async () => {
    const preflight = (origin: string) =>
      t.app.request('/subscribe', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight(PARTNER_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PARTNER_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const post = await t.postJson({ email: newAddress() }, { origin: PARTNER_ORIGIN });
    expect(post.headers.get('access-control-allow-origin')).toBe(PARTNER_ORIGIN);
    const page = await t.app.request('/', { headers: { origin: PARTNER_ORIGIN } });
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a 404 page at a deep path links to the signup page itself, not to another 404', async () => {
    const res = await t.app.request('/confirm/extra/');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain(`<a href="${PUBLIC_URL}/">Go to the course page</a>`);
  });

  it('answers unknown paths with 404 as a page or JSON', async () => {
    const page = await t.app.request('/nope');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const json = await t.app.request('/nope', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});

describe('POST /__local/drip', () => {
  const summary = idleDripSummary({ durationMs: 1 });

  it('does not exist unless the app is local', async () => {
    expect((await t.app.request('/__local/drip', { method: 'POST' })).status).toBe(404);
  });

  it('answers 501 when no drip is wired', async () => {
    t = await lifecycle(stack, compiled, { local: true });
    const res = await t.app.request('/__local/drip', { method: 'POST' });
    expect(res.status).toBe(501);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_implemented');
  });

  it('runs one tick as if the clock read "at" and answers its summary; bad input is a 400', async () => {
    const calls: { now: Date; deadline: Date }[] = [];
    t = await lifecycle(stack, compiled, { local: true, runDrip: (o) => (calls.push(o), Promise.resolve(summary)) });
    const res = await t.app.request('/__local/drip', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ at: '2026-04-01T09:00:00Z' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(summary);
    expect(calls[0]?.now.toISOString()).toBe('2026-04-01T09:00:00.000Z');
    expect(calls[0]!.deadline.getTime()).toBeGreaterThan(t.clock.now().getTime());

    expect((await t.app.request('/__local/drip', { method: 'POST' })).status).toBe(200);
    expect(calls[1]?.now.toISOString()).toBe(t.clock.now().toISOString());
    for (const body of ['{"at":', '{"at":"next tuesday"}', '{"at":12}', '[]']) {
      const bad = await t.app.request('/__local/drip', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(bad.status, body).toBe(400);
    }
    expect(calls).toHaveLength(2);
  });
});

describe('subscribe without HTTP (operator import)', () => {
  it('creates a pending subscription with the given consent and mails nobody', async () => {
    const email = newAddress('import');
    const result = await subscribe(t.deps, compiled, {
      fields: { email, name: 'Imported' },
      consent: { at: '2025-12-01T08:00:00.000Z', ip: 'import', userAgent: 'operator-cli', page: 'import:list.csv' },
      sendConfirmation: false,
    });
    expect(result.outcome).toBe('created');
    const sub = await t.subscriber(result.subscriberId!);
    expect(sub).toMatchObject({ status: 'pending', consent: { at: '2025-12-01T08:00:00.000Z', page: 'import:list.csv' } });
    expect(sub?.confirmationSentAt).toBeUndefined();
    expect(await t.emailsTo(email)).toHaveLength(0);
    expect((await t.items()).some((i) => String(i.pk).startsWith('RATE#'))).toBe(false);
  });
});
