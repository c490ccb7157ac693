// The deploy run catches what it exists for: each test removes one thing from the synthesised template
// (a route, an environment variable, a permission, a published SES event type), runs the slice of the
// journey that needs it against the mutated copy, and sees the run fail with a message naming what is
// missing. The copies share the one synthesised assembly's bundles (no esbuild here).
// Mocked as in journey.test.ts: Secrets Manager and SES GetSendQuota, which cannot run here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';
import { COURSE_SLUGS, deployAssembly } from './harness/assembly.js';
import { Deployment } from './harness/deployment.js';
import { expectAllowed } from './harness/iam.js';
import { confirm, inbox, linkIn, sesEvent, signUp, tick } from './harness/steps.js';
import { readAssembly, writeMutatedAssembly, type Assembly, type CfnTemplate, type Resource } from './harness/template.js';

const MINUTE = 60_000;
const PERIOD = 5 * MINUTE;
let stack: TestStack;
let assembly: Assembly;
const started: Deployment[] = [];

beforeAll(async () => {
  [stack, assembly] = await Promise.all([startTestStack(), deployAssembly('single').then(readAssembly)]);
}, 300_000);
afterAll(async () => {
  for (const d of started) await d.stop();
  await stack?.stop();
});

/** The one resource of `type` in the service stack whose construct path contains `path`. */
function resource(stacks: Record<string, CfnTemplate>, type: string, path = ''): Resource {
  const found = Object.values(stacks.EmailCourse!.Resources).filter(
    (r) => r.Type === type && (r.Metadata?.['aws:cdk:path'] as string | undefined)?.includes(path) === true,
  );
  if (found.length !== 1) throw new Error(`${found.length} ${type} at ${path}`);
  return found[0]!;
}

async function deploy(name: string, mutate: (stacks: Record<string, CfnTemplate>) => void): Promise<Deployment> {
  const d = await Deployment.start(
    writeMutatedAssembly(assembly, mutate),
    { dynamo: stack.dynamo, dynamoUrl: stack.dynamoUrl, sesUrl: stack.sesUrl },
    { nameSuffix: `-${name}` },
  );
  started.push(d);
  d.setClock(new Date(Math.ceil(Date.now() / PERIOD) * PERIOD + 86_400_000));
  return d;
}

/** Sign up, let a tick send the confirmation, and return it. */
async function signUpAndTick(d: Deployment, email: string): Promise<Awaited<ReturnType<typeof inbox>>[number]> {
  await signUp(d, email, COURSE_SLUGS[0]);
  const period = new Date(Math.ceil(d.now().getTime() / PERIOD) * PERIOD);
  await tick(d, period, 30_000);
  const [mail] = await inbox(stack.sesUrl, email);
  if (mail === undefined) throw new Error(`no confirmation to ${email}`);
  return mail;
}

describe('the deploy run fails when the template loses', () => {
  it('a route: pressing the confirm button answers API Gateway 404, naming the route', async () => {
    const d = await deploy('route', (stacks) => {
      const routes = stacks.EmailCourse!.Resources;
      const id = Object.keys(routes).find(
        (k) => routes[k]!.Type === 'AWS::ApiGatewayV2::Route' && routes[k]!.Properties?.RouteKey === 'POST /confirm',
      );
      delete routes[id!];
    });
    const mail = await signUpAndTick(d, 'route@example.org');
    await expect(confirm(d, linkIn(mail, 'confirm', d.api.url))).rejects.toThrow(/^POST \/confirm answered 404 \{"message":"Not Found"\}/);
  }, 120_000);

  // (Without TABLE_NAME the api falls back to the local default table name and answers 503 on a
  // table that does not exist: the run fails too, but the message names the table, not the variable.)
  it('an environment variable: the api fails on its first request, naming the variable', async () => {
    const d = await deploy('env', (stacks) => {
      delete (
        resource(stacks, 'AWS::Lambda::Function', 'HttpApi/Handler').Properties!.Environment as { Variables: Record<string, unknown> }
      ).Variables.TOKEN_SECRET_ID;
    });
    await expect(signUp(d, 'env@example.org', COURSE_SLUGS[0])).rejects.toThrow(/POST \/subscribe answered 5\d\d[\s\S]*TOKEN_SECRET_ID/);
  }, 120_000);

  it('a permission: the drip sends, and IAM simulation of its calls names the missing action', async () => {
    const d = await deploy('iam', (stacks) => {
      const policy = resource(stacks, 'AWS::IAM::Policy', 'DripSchedule/Handler').Properties!.PolicyDocument as {
        Statement: { Action: string | string[] }[];
      };
      // The action may stand alone or in a merged statement's list: take it out of both.
      policy.Statement = policy.Statement.map((s) => ({
        ...s,
        Action: Array.isArray(s.Action) ? s.Action.filter((a) => a !== 'dynamodb:PartiQLUpdate') : s.Action,
      })).filter((s) => s.Action !== 'dynamodb:PartiQLUpdate' && s.Action.length > 0);
      expect(JSON.stringify(policy)).not.toContain('PartiQLUpdate');
    });
    const mail = await signUpAndTick(d, 'iam@example.org');
    await confirm(d, linkIn(mail, 'confirm', d.api.url));
    await tick(d, new Date(Math.ceil(d.now().getTime() / PERIOD) * PERIOD), 30_000);
    expect((await inbox(stack.sesUrl, 'iam@example.org')).length, 'lesson 1 was sent').toBe(2);
    await expect(expectAllowed(d)).rejects.toThrow(
      /DripSchedule\/Handler\/Function: dynamodb:PartiQLUpdate on arn:aws:dynamodb:\S+ \(ImplicitlyDenied\)/,
    );
  }, 120_000);

  it('a published SES event type: a bounce never reaches ses-events, and the run says which type', async () => {
    const d = await deploy('events', (stacks) => {
      const dest = resource(stacks, 'AWS::SES::ConfigurationSetEventDestination').Properties!.EventDestination as {
        MatchingEventTypes: string[];
      };
      dest.MatchingEventTypes = dest.MatchingEventTypes.filter((t) => t !== 'bounce');
    });
    const mail = await signUpAndTick(d, 'events@example.org');
    const before = d.lambda.invocations.length;
    await expect(
      sesEvent(d, 'Bounce', mail.messageId, { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'events@example.org' }] }),
    ).rejects.toThrow(/SES publishes no Bounce events: MatchingEventTypes are \S+: delivery, complaint/);
    expect(d.lambda.invocations.length, 'nothing was invoked').toBe(before);
  }, 120_000);
});
