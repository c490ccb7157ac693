// The deploy artifact, end to end on this machine: the cloud assembly `cdk synth` builds (templates and
// esbuild bundles, test/deploy/harness/assembly.ts) run as the templates describe it
// (test/deploy/harness/deployment.ts), for the single drip Lambda and for the fan-out planner with
// three senders. A reader signs up on two courses through the HTTP API, confirms, gets lessons from
// scheduled ticks at three offsets into the period (one 4.5 minutes into 5), bounces and complains
// through SES events on SNS, shows in `course stats`, and unsubscribes.
// Mocked, because real AWS cannot run here: Secrets Manager GetSecretValue and SES GetSendQuota
// (stand-ins in harness/aws.ts); SES's own Send/Delivery/Bounce/Complaint events are published by the
// harness (SES's event publishing), only for the types the template's configuration set publishes.



import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestStack, type TestStack } from '../support/stack.js';
import { COURSE_SLUGS, deployAssembly, type Variant } from './harness/assembly.js';
import { Deployment } from './harness/deployment.js';

import { confirm, expectStatus, inbox, linkIn, request, sesEvent, signUp, tick } from './harness/steps.js';
import { readAssembly } from './harness/template.js';


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
  const reader = (i: number) => `reader${i}-${variant}@example.org`;

  beforeAll(async () => {
    const assembly = readAssembly(await deployAssembly(variant));
    d = await Deployment.start(assembly, { dynamo: stack.dynamo, dynamoUrl: stack.dynamoUrl, sesUrl: stack.sesUrl }, { nameSuffix: `-${variant}` });
    deployments.push(d);
    period = d.rules()[0]!.periodMs;
    start = firstPeriod(period);
    d.setClock(new Date(start - MINUTE));
  }, 300_000);

  it('serves the signup page and answers API Gateway 404 for a path no route declares, invoking nothing', async () => {
    expect(await expectStatus(d, 'GET', '/', 200)).toContain('<form');
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
});
