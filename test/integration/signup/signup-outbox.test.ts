// The signup outbox under refusals, on DynamoDB Local and the SES emulator: confirmations SES refuses
// for good are held (and listed by `course held`) instead of blocking newer signups, requests waiting
// out a backoff are not read, and each sweep reports the age of the oldest waiting request.
//
// The emulator accepts every address, so the refusal is injected in front of it, shaped as SES's
// MessageRejected reaches the core (a permanent SendError; ses-mailer.ts classifies it): the sandbox's
// unverified-address check exists only in real AWS.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOperatorStore } from '../../../functions/cli/operator-store.js';
import { runHeld } from '../../../functions/cli/held.js';
import { SendError, type Mailer, type MetricName } from '../../../functions/core/ports.js';
import { sweepSignupsLogged, sweepSignups, type SignupRequest } from '../../../functions/core/signup-outbox.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { collector } from '../../support/collector.js';
import { compileShippedCourse } from '../../support/course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { MINUTE, lifecycle, newAddress, type Lifecycle } from '../../support/lifecycle-setup.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

const REFUSED = 'Email address is not verified. The following identities failed the check in region EU-WEST-1: ';
const THROTTLED = 'Maximum sending rate exceeded.';

/** SES as the sandbox answers: `refused-…` addresses are unverified (MessageRejected), `slow-…` are throttled. */
const sandbox = (real: Mailer): Mailer => ({
  sendRaw: (m) => {
    if (m.to.startsWith('refused-')) return Promise.reject(new SendError('permanent', `${REFUSED}${m.to}`));
    if (m.to.startsWith('slow-')) return Promise.reject(new SendError('throttled', THROTTLED));
    return real.sendRaw(m);
  },
});

let t: Lifecycle;
beforeEach(async () => {
  t = await lifecycle(stack, compiled, { mailer: sandbox });
  // As in AWS: nothing is kicked in-process; the drip's sweep does the outbox's work.
  delete t.deps.outbox;
});

/** `n` signups stored in the outbox, a millisecond apart from `from` on (as POST /subscribe stores them). */
async function enqueue(label: string, n: number, from: Date): Promise<SignupRequest[]> {
  const requests = Array.from({ length: n }, (_, i): SignupRequest => {
    const at = new Date(from.getTime() + i).toISOString();
    return {
      requestId: `${label}${String(i).padStart(4, '0')}aaaaaaaaaaaaaaaa`,
      receivedAt: at,
      fields: { email: newAddress(label) },
      course: compiled.course.slug,
      consent: { at, ip: '198.51.100.7', userAgent: 'vitest', page: 'http://course.test/' },
    };
  });
  for (let i = 0; i < requests.length; i += 25) {
    await Promise.all(requests.slice(i, i + 25).map((r) => t.deps.store.enqueueSignup(r, Math.floor(from.getTime() / 1000) + 7 * 86_400)));
  }
  return requests;
}

describe('the signup outbox', () => {
  it('250 confirmations SES refuses for good at the head do not block a newer signup; they are held and listed by `course held`', async () => {
    const start = t.clock.now();
    const refused = await enqueue('refused-', 250, new Date(start.getTime() - 10 * MINUTE));
    const newer = newAddress('newer');
    expect((await t.postJson({ email: newer })).status).toBe(200);
    expect(await t.emailsTo(newer)).toHaveLength(0);

    const metrics: [MetricName, number][] = [];
    const swept = await sweepSignupsLogged(t.deps, new Date(start.getTime() + 10 * MINUTE), t.deps.log!, {
      add: (name, value) => metrics.push([name, value]),
    });
    expect(swept).toEqual({ found: 251, done: 1, held: 250, taken: 0, failed: 0, oldestWaitingSeconds: 0 });
    expect(await t.emailsTo(newer)).toHaveLength(1);
    expect(metrics).toEqual([['outboxAge', 0]]);
    expect(t.logs.filter((l) => l.msg === 'signup.confirmation_refused')).toHaveLength(250);

    // Nothing of them is left to retry; each is a held record of its course.
    const items = await t.items();
    expect(items.filter((i) => i.pk === 'OUTBOX')).toEqual([]);
    const held = items.filter((i) => i.pk === `HELDSIGNUP#${compiled.course.slug}`);
    expect(held).toHaveLength(250);
    expect(held[0]).toMatchObject({ reason: expect.stringContaining('not verified'), attempts: 1, course: compiled.course.slug });
    // SES's reason, not the signup page's "try again" wording.
    expect(String(held[0]!.reason)).toMatch(/^Email address is not verified\. .*refused-/);
    expect(await sweepSignups(t.deps, { deadline: new Date(start.getTime() + MINUTE) })).toMatchObject({ found: 0 });

    const out = collector();
    await runHeld({ store: createOperatorStore({ doc: stack.doc, tableName: t.table }), out, course: compiled.course });
    expect(out.text()).toContain(`Confirmations SES refused in ${compiled.course.slug}: 250 signups`);
    for (const r of [refused[0]!, refused[249]!]) expect(out.text()).toContain(r.fields.email);
    expect(out.text()).toContain('not verified');
  }, 120_000);

  it('requests waiting out a backoff are not read, a newer signup goes first, and the age of the oldest waiting one is reported', async () => {
    const start = t.clock.now();
    await enqueue('slow-', 30, new Date(start.getTime() - 5 * MINUTE));
    const first = await sweepSignups(t.deps, { deadline: new Date(start.getTime() + MINUTE), pageSize: 7 });
    // Paged through every due request (7 a page); each failed and moved to its retry time.
    expect(first).toMatchObject({ found: 30, failed: 30, done: 0, oldestWaitingSeconds: 300 });

    const newer = newAddress('newer');
    expect((await t.postJson({ email: newer })).status).toBe(200);
    const metrics: [MetricName, number][] = [];
    const second = await sweepSignupsLogged(t.deps, new Date(start.getTime() + MINUTE), t.deps.log!, {
      add: (name, value) => metrics.push([name, value]),
    });
    // Only the newer request is due: the 30 are not even read.
    expect(second).toMatchObject({ found: 1, done: 1, failed: 0 });
    expect(await t.emailsTo(newer)).toHaveLength(1);
    expect(metrics).toEqual([['outboxAge', 0]]);

    // Past their retry time they are read again, still refused for now: the age counts from their arrival.
    t.clock.advance(MINUTE);
    const third = await sweepSignupsLogged(t.deps, new Date(t.clock.now().getTime() + MINUTE), t.deps.log!, {
      add: (name, value) => metrics.push([name, value]),
    });
    expect(third).toMatchObject({ found: 30, failed: 30 });
    expect(metrics.at(-1)).toEqual(['outboxAge', 360]);
    const waiting = (await t.items()).filter((i) => i.pk === 'OUTBOX');
    expect(waiting).toHaveLength(30);
    expect(waiting.every((i) => i.attempts === 2)).toBe(true);
  }, 120_000);

  it('a sweep that runs out of time reports the requests it did not reach as waiting', async () => {
    const start = t.clock.now();
    await enqueue('newer-', 3, new Date(start.getTime() - 2 * MINUTE));
    const swept = await sweepSignups(t.deps, { deadline: start });
    expect(swept).toMatchObject({ found: 3, done: 0, oldestWaitingSeconds: 120 });
  });
});
