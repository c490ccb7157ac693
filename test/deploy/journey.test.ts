// The deploy artifact, end to end on this machine: the cloud assembly `cdk synth` builds (templates and
// esbuild bundles, test/deploy/harness/assembly.ts) run as the templates describe it
// (test/deploy/harness/deployment.ts), for the single drip Lambda and for the fan-out planner with
// three senders. A reader signs up on two courses through the HTTP API, confirms, gets lessons from
// scheduled ticks at three offsets into the period (one 4.5 minutes into 5), bounces and complains
// through SES events on SNS, shows in `course stats`, and unsubscribes.
// Mocked, because real AWS cannot run here: Secrets Manager GetSecretValue and SES GetSendQuota
// (stand-ins in harness/aws.ts); SES's own Send/Delivery/Bounce/Complaint events are published by the
// harness (SES's event publishing), only for the types the template's configuration set publishes.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorStore } from '../../functions/cli/operator-store.js';
import { runStats, type CourseInfo } from '../../functions/cli/stats.js';
import { repoRoot } from '../../infra/constructs/course-function.js';

import { startTestStack, type TestStack } from '../support/stack.js';
import { COURSE_SLUGS, DEPLOY_CONTEXT, deployAssembly, type Variant } from './harness/assembly.js';
import { Deployment } from './harness/deployment.js';

import { confirm, expectStatus, inbox, linkIn, request, sesEvent, signUp, tick } from './harness/steps.js';
import { readAssembly } from './harness/template.js';
import { GRANTED_NOT_CALLED, simulateRecordedCalls, unusedGrants } from './harness/iam.js';

const run = promisify(execFile);

const MINUTE = 60_000;
/** Three offsets into the 5-minute period: early, middle, and 4.5 minutes in (15 s before the next tick). */
const OFFSETS = [0.5 * MINUTE, 2.5 * MINUTE, 4.5 * MINUTE];

let stack: TestStack;
const deployments: Deployment[] = [];
beforeAll(async () => {
  stack = await startTestStack();
}, 120_000);
afterAll(async () => {
  for (const d of deployments) await d.stop();
  await stack?.stop();
});

/** The first period start on the 5-minute grid a day from now (the functions' clock starts there). */
function firstPeriod(periodMs: number): number {
  return Math.ceil((Date.now() + 86_400_000) / periodMs) * periodMs;
}

describe.each<Variant>(['single', 'fanout'])('the %s deployment, run from its cloud assembly', (variant) => {
  let d: Deployment;
  let period: number;
  let start: number;
  let assemblyDir: string;
  const reader = (i: number) => `reader${i}-${variant}@example.org`;

  beforeAll(async () => {
    assemblyDir = await deployAssembly(variant);
    const assembly = readAssembly(assemblyDir);
    d = await Deployment.start(
      assembly,
      { dynamo: stack.dynamo, dynamoUrl: stack.dynamoUrl, sesUrl: stack.sesUrl },
      { nameSuffix: `-${variant}` },
    );
    deployments.push(d);
    period = d.rules()[0]!.periodMs;
    start = firstPeriod(period);
    d.setClock(new Date(start - MINUTE));
  }, 300_000);

  it('serves the signup page and answers API Gateway 404 for a path no route declares, invoking nothing', async () => {
    // Two courses: `/` lists them, each linking to its own signup page.
    expect(await expectStatus(d, 'GET', '/', 200)).toContain(`courses/${COURSE_SLUGS[1]}`);
    const before = d.lambda.invocations.length;
    expect(await request(d, 'GET', '/no-such-page')).toEqual({ status: 404, text: '{"message":"Not Found"}' });
    expect(await request(d, 'DELETE', '/subscribe')).toEqual({ status: 404, text: '{"message":"Not Found"}' });
    expect(d.lambda.invocations.length).toBe(before);
  });

  it('routes every page `/` links to (GET /courses/{slug}) and answers HEAD on /confirm and /unsubscribe', async () => {
    for (const slug of COURSE_SLUGS) expect(await expectStatus(d, 'GET', `/courses/${slug}`, 200)).toContain('<form');
    expect((await request(d, 'HEAD', '/confirm?token=x')).status).not.toBe(404);
    expect((await request(d, 'HEAD', '/unsubscribe?token=x')).status).not.toBe(404);
  });

  it('at three offsets into the period, each tick sends every waiting confirmation and every due lesson, once', async () => {
    for (const [i, offset] of OFFSETS.entries()) {
      const periodStart = new Date(start + i * period);
      d.setClock(new Date(periodStart.getTime() - MINUTE));
      for (const slug of COURSE_SLUGS) await signUp(d, reader(i), slug);
      // The previous tick's reader confirms both courses (GET the page, press the button).
      if (i > 0) for (const mail of await inbox(stack.sesUrl, reader(i - 1))) await confirm(d, linkIn(mail, 'confirm', d.api.url));
      const sentBefore = d.sent.length;
      await tick(d, periodStart, offset);
      const sent = d.sent.slice(sentBefore).map((m) => m.destination[0]);
      const expected = [reader(i), reader(i), ...(i > 0 ? [reader(i - 1), reader(i - 1)] : [])];
      expect(sent.sort(), `tick ${offset / MINUTE} min into the period`).toEqual(expected.sort());
    }
  }, 120_000);

  /** Lesson emails (they carry an unsubscribe link) SES accepted for `address`. */
  const lessonsTo = async (address: string) =>
    (await inbox(stack.sesUrl, address)).filter((m) => (m.body.text ?? '').includes('/unsubscribe?token='));

  it('SES events reach ses-events through SNS: a bounce and a complaint stop the reader, and the API answers the unsubscribe', async () => {
    const [lesson0, lesson1] = await lessonsTo(reader(0));
    expect(lesson1, `two lessons to ${reader(0)}`).toBeDefined();
    await sesEvent(d, 'Bounce', lesson0!.messageId, {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: reader(0), action: 'failed', status: '5.1.1' }],
      feedbackId: 'fb-bounce',
    });
    await sesEvent(d, 'Complaint', lesson1!.messageId, {
      complainedRecipients: [{ emailAddress: reader(0) }],
      complaintFeedbackType: 'abuse',
      feedbackId: 'fb-complaint',
    });
    const stats = await statsNow();
    expect(stats).toMatch(/bounced \(address stopped\)\s+1/);
    expect(stats).toMatch(/complained\s+1/);
    // Reader 1 leaves the first course from its lesson's link: the page (GET, changes nothing), then the button.
    const [lesson] = await lessonsTo(reader(1));
    expect(lesson, `a lesson to ${reader(1)}`).toBeDefined();
    const link = linkIn(lesson!, 'unsubscribe', d.api.url);
    await expectStatus(d, 'GET', link, 200);
    expect(await statsNow()).not.toMatch(/unsubscribed\s+1\b/);
    await expectStatus(d, 'POST', link, 200);
    expect(await statsNow()).toMatch(/unsubscribed\s+1\b/);
  }, 120_000);

  /** `course stats` through the CLI's module API (runStats), in this process: quick, for the steps between. */
  async function statsNow(): Promise<string> {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    const courses = (
      JSON.parse(readFileSync(join(d.fn('HttpApi/Handler/Function').dir, 'course-manifests.json'), 'utf8')) as { course: CourseInfo }[]
    ).map((c) => c.course);
    await runStats({ store: createOperatorStore({ doc: stack.doc, tableName: d.tables[0]! }), out, courses });
    return chunks.join('');
  }

  /** `course stats` (the operator CLI) on the deployment's table, as an operator runs it against AWS. */
  async function courseStats(): Promise<string> {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'functions/cli/main.ts'), 'stats', '--table', d.tables[0]!],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          COURSES_DIR: join(dirname(assemblyDir), 'courses'),
        },
      },
    );
    return stdout;
  }

  it('`course stats` shows lesson 1 sent (counted by the drip; Send is not a published type) and delivered (SES Delivery events)', async () => {
    for (const m of d.sent.filter((x) => x.tags.lesson !== undefined)) {
      for (const type of ['Send', 'Delivery']) {
        await d.publishSesEvent(
          type,
          m.messageId,
          type === 'Delivery' ? { recipients: m.destination, smtpResponse: '250 2.6.0 Message received' } : {},
        );
      }
    }
    const lessons = d.sent.filter((x) => x.tags.lesson?.[0] === '1');
    const stats = await courseStats();
    for (const slug of COURSE_SLUGS) {
      const section = stats.slice(stats.indexOf(`(${slug})`));
      const row = /^\s+1\s+.*?\s(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+/m.exec(section.slice(section.indexOf('Per lesson')));
      const count = lessons.filter((m) => m.tags.course?.[0] === slug).length;
      expect(count, slug).toBeGreaterThan(0);
      expect({ slug, sent: Number(row?.[1]), delivered: Number(row?.[2]) }, stats).toEqual({ slug, sent: count, delivered: count });
    }
  }, 120_000);

  it.runIf(variant === 'fanout')(
    'a share delivered twice sends each lesson once, never faster than its share of the rate',
    async () => {
      // READERS readers on both courses: their confirmations go out at one tick, their first lessons at
      // the next. Each reader's due shard comes from a random id, so how many land in share 0 is
      // chance: with 4 readers (8 lessons over 3 senders) share 0 had fewer than two about one run in
      // five, and the check below that it sent two failed; with 9 (18 lessons), about one in 150.
      // 18 signups from one address fit the per-IP limit (20 an hour) only in a clock hour of their
      // own: 20 periods on, no earlier signup of this file shares their hour.
      const READERS = 9;
      const periodStart = new Date(start + 20 * period);
      d.setClock(new Date(periodStart.getTime() - period - MINUTE));
      for (let i = 0; i < READERS; i++) for (const slug of COURSE_SLUGS) await signUp(d, `twice${i}-${variant}@example.org`, slug);
      await tick(d, new Date(periodStart.getTime() - period), OFFSETS[0]!);
      for (let i = 0; i < READERS; i++)
        for (const mail of await inbox(stack.sesUrl, `twice${i}-${variant}@example.org`))
          await confirm(d, linkIn(mail, 'confirm', d.api.url));
      const sender = d.fn('DripFanOut/Sender/Function');
      d.deliverTwice((fn, payload) => fn.name === sender.name && (payload as { share: { sender: number } }).share.sender === 0);
      const before = { calls: d.calls.length, invocations: d.lambda.invocations.length, sent: d.sent.length };
      await tick(d, periodStart, OFFSETS[0]!);
      const runs = d.lambda.invocations.slice(before.invocations).filter((i) => i.function === sender.path);
      const twice = runs.filter((i) => (i.event as { share: { sender: number } }).share.sender === 0);
      expect(twice.length, 'share 0 ran twice').toBe(2);
      const share = (twice[0]!.event as { share: { maxSendRate: number } }).share;
      const arrivals = d.calls
        .slice(before.calls)
        .filter((c) => c.action === 'SendRawEmail' && twice.some((t) => t.container === c.container))
        .map((c) => c.at)
        .sort((a, b) => a - b);
      // Not vacuous: the two runs of share 0 sent at least two lessons between them.
      expect(arrivals.length, 'sends by the two runs of share 0').toBeGreaterThanOrEqual(2);
      const busiest = Math.max(0, ...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 1000).length));
      expect(
        busiest,
        `share 0's sends in one second (its rate: ${share.maxSendRate}/s; arrivals ${arrivals.map((t) => t - arrivals[0]!).join(', ')} ms)`,
      ).toBeLessThanOrEqual(Math.floor(share.maxSendRate));
      const lessons = d.sent.slice(before.sent).map((m) => `${m.destination[0]} ${m.tags.course?.[0]} ${m.tags.lesson?.[0]}`);
      expect(new Set(lessons).size, lessons.join('\n')).toBe(lessons.length);
      expect(lessons.length).toBe(READERS * COURSE_SLUGS.length);
    },
    120_000,
  );

  /** The lines a function logged (CloudWatch Logs), each parsed as JSON (a line that is not JSON fails the test). */
  function logLines(path: string, options: { mayBeQuiet?: boolean } = {}): Record<string, unknown>[] {
    const lines = (d.lambda.logs.get(path) ?? [])
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '');
    if (!options.mayBeQuiet) expect(lines.length, `${path} logged nothing`).toBeGreaterThan(0);
    return lines.map((line) => {
      let parsed: unknown;
      expect(() => {
        parsed = JSON.parse(line) as unknown;
      }, `${path} wrote a line that is not JSON: ${line}`).not.toThrow();
      expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), `${path}: not one object: ${line}`).toBe(true);
      return parsed as Record<string, unknown>;
    });
  }

  type EmfBlock = {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
    [key: string]: unknown;
  };
  const emfBlocks = (lines: Record<string, unknown>[]) => lines.filter((l): l is EmfBlock => typeof l._aws === 'object' && l._aws !== null);
  const SERVICES: Record<string, string> = {
    'HttpApi/Handler/Function': 'api',
    'DripSchedule/Handler/Function': 'drip',
    'DripFanOut/Sender/Function': 'drip',
    'DripFanOut/Planner/Function': 'drip-planner',
    'SesFeedback/Handler/Function': 'ses-events',
  };
  const dripPath = variant === 'single' ? 'DripSchedule/Handler/Function' : 'DripFanOut/Sender/Function';

  it('log one JSON object per line, with level and message, and never a JSON string nested in the message', () => {
    // The api logs only trouble (a happy signup writes no line); whatever it writes must be the same shape.
    for (const fn of d.lambda.functions) {
      const service = SERVICES[fn.path];
      expect(service, fn.path).toBeDefined();
      for (const line of logLines(fn.path, { mayBeQuiet: service === 'api' }).filter((l) => !('_aws' in l))) {
        expect(line, fn.path).toMatchObject({
          level: expect.stringMatching(/^(DEBUG|INFO|WARN|ERROR)$/),
          message: expect.any(String),
          service,
        });
        expect(String(line.message), fn.path).not.toMatch(/^\s*[{[]/);
      }
    }
    // The first tick sent reader 0's two confirmations from the signup outbox.
    expect(logLines(dripPath).find((l) => l.message === 'signup.outbox')).toMatchObject({ level: 'INFO', found: 2, done: 2, failed: 0 });
    const summaries = logLines(dripPath).filter((l) => l.message === 'drip.summary');
    expect(summaries.length).toBeGreaterThan(0);
    for (const summary of summaries) expect(summary).toMatchObject({ level: 'INFO', failed: 0, held: 0, possibleDuplicates: 0 });
    expect(logLines('SesFeedback/Handler/Function').find((l) => l.message === 'ses events' && l.bounces === 1)).toMatchObject({
      applied: 1,
      bounces: 1,
    });
  });

  it('write EMF metric blocks with every name the alarms and the dashboard read, under their namespace and service dimension', () => {
    // The course's own metrics the template's alarms name.
    const alarmed = Object.values(d.assembly.stacks.EmailCourse!.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((a) => a.Properties as { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] })
      .filter((a) => a.Namespace === 'EmailCourse');
    expect(alarmed.map((a) => a.MetricName).sort()).toEqual(['failed', 'outboxAge', 'possibleDuplicates']);
    const emitted = new Map<string, { namespace: string; dimensions: string[][]; service: unknown; unit: string }>();
    for (const path of [dripPath, 'SesFeedback/Handler/Function']) {
      const blocks = emfBlocks(logLines(path));
      expect(blocks.length, `${path} wrote no EMF block`).toBeGreaterThan(0);
      for (const block of blocks) {
        for (const directive of block._aws.CloudWatchMetrics) {
          for (const m of directive.Metrics) {
            expect(typeof block[m.Name], `${m.Name} has a value in the block`).toBe('number');
            emitted.set(m.Name, { namespace: directive.Namespace, dimensions: directive.Dimensions, service: block.service, unit: m.Unit });
          }
        }
      }
    }
    for (const alarm of alarmed) {
      expect(emitted.get(alarm.MetricName!), alarm.MetricName).toMatchObject({
        namespace: 'EmailCourse',
        dimensions: [['service']],
        service: alarm.Dimensions![0]!.Value,
      });
      expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: 'drip' }]);
    }
    expect([...emitted.keys()].sort()).toEqual(
      [
        'bounces',
        'complaints',
        'deliveries',
        'duration',
        'failed',
        'held',
        'outboxAge',
        'possibleDuplicates',
        'sent',
        'skipped',
        'softBounces',
        'stoppedEarly',
      ].sort(),
    );
    // The signup outbox's sweep (run by the drip before its lessons) reports the oldest waiting signup's age.
    expect(emitted.get('outboxAge')).toMatchObject({ unit: 'Seconds', service: 'drip' });
    expect(emitted.get('duration')).toMatchObject({ unit: 'Milliseconds', service: 'drip' });
    expect(emitted.get('bounces')).toMatchObject({ unit: 'Count', service: 'ses-events' });
  });

  it('send as the deployed fromAddress (SENDER_ADDRESS): SES and IAM allow only the verified domain', async () => {
    const sent = (await stack.emails()).filter((e) => e.destination.to.some((t) => t.endsWith(`-${variant}@example.org`)));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const email of sent) expect(email.from, email.subject).toContain(String(DEPLOY_CONTEXT.fromAddress));
  });
});

describe('IAM, simulated offline against the roles in the templates', () => {
  it('allows every AWS call each function made during the run', async () => {
    expect(deployments.length).toBe(2);
    const denied = [];
    for (const d of deployments) {
      expect(d.calls.length).toBeGreaterThan(20);
      expect(d.calls.filter((c) => c.service === 'unknown')).toEqual([]);
      denied.push(...(await simulateRecordedCalls(d)));
    }
    expect(denied).toEqual([]);
  }, 120_000);

  it('publishes subscription events from the api, the drip (or its senders) and ses-events, to the stack’s bus only', () => {
    for (const d of deployments) {
      const puts = d.calls.filter((c) => c.service === 'events');
      expect(puts.length).toBeGreaterThan(0);
      expect(new Set(puts.map((c) => c.action))).toEqual(new Set(['PutEvents']));
      expect(
        puts.every((c) => c.status === 200 && c.resources.length === 1 && /:event-bus\/[^/]+-subscriptions$/.test(c.resources[0]!)),
      ).toBe(true);
      const publishers = new Set(puts.map((c) => c.function.split('/')[0]));
      expect([...publishers].sort()).toEqual(
        ['HttpApi', 'SesFeedback', d.calls.some((c) => c.function.startsWith('DripFanOut/')) ? 'DripFanOut' : 'DripSchedule'].sort(),
      );
      expect(puts.some((c) => c.function.includes('Planner'))).toBe(false);
    }
  });

  it('grants no action that no recorded call used, except those listed with their reason', () => {
    expect(GRANTED_NOT_CALLED.every((g) => g.reason.length > 20)).toBe(true);
    expect(
      deployments.flatMap((d) => unusedGrants(d)),
      'unused grants (remove the grant, or add it with its reason to GRANTED_NOT_CALLED)',
    ).toEqual([]);
  });
});
