// Least privilege, role by role: each function's role allows exactly the actions its code path calls,
// on exactly the resources it calls them on. The expected lists are written by hand from the handlers
// and the adapters they reach (functions/handlers/*.ts → functions/adapters/*.ts), each action with the
// code that calls it, so a grant nobody calls, or a call nobody granted, fails here. (The deploy
// harness also simulates the calls recorded in a run against these policies; this is the design side.)
import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { synthCourse } from './synth.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation properties are free-form JSON
type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** A short name for a policy resource, so the expectations read as the architecture does. */
function resourceName(resource: unknown): string {
  if (resource === '*') return '*';
  const text = JSON.stringify(resource);
  if (text.includes('SubscribersTable')) return text.includes('/index/due') ? 'table/index/due' : 'table';
  if (text.includes('TokenKeySecret')) return 'token-secret';
  if (text.includes('OriginVerifySecret')) return 'origin-verify-secret';
  if (text.includes(':identity/*')) return 'ses:identity/*';
  if (text.includes('SesFeedbackIdentity')) return 'ses:domain-identity';
  if (text.includes(':configuration-set/')) return 'ses:configuration-set';
  if (text.includes('DeadLetters')) return 'dead-letter-queue';
  if (/SubscriptionEventsBus\w*","Arn"/.test(text)) return 'event-bus';
  if (/Drip(Schedule|FanOut)Failed\w*","Arn"/.test(text)) return 'drip-failure-queue';
  if (/Logs\w*","Arn"/.test(text)) return 'own-log-group';
  if (/DripFanOutSenderFunction\w*","Arn"\]\},":\*"/.test(text)) return 'sender-function:*';
  if (/DripFanOutSenderFunction\w*","Arn"/.test(text)) return 'sender-function';
  return text;
}

/** Every `action on resource` the role of the function described as `description…` is allowed (Allow only; no Deny is used). */
function grantsOf(t: Template, description: string): string[] {
  const resources = t.toJSON().Resources as Record<string, Resource>;
  const fns = Object.values(resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith(description),
  );
  expect(fns, description).toHaveLength(1);
  const role = (fns[0]!.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const grants = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${role}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .flatMap((st) => {
      expect(st.Effect).toBe('Allow');
      return asList(st.Action).flatMap((a) => asList(st.Resource).map((r) => `${a} on ${resourceName(r)}`));
    });
  return [...new Set(grants)].sort();
}

/** What every function's role holds: its own logs (Lambda writes them with the function's role). */
const OWN_LOGS = ['logs:CreateLogStream on own-log-group', 'logs:PutLogEvents on own-log-group'];

/** The drip's table calls: the single drip Lambda's and each fanned-out sender's (same code, drip.ts). */
const DRIP_TABLE = [
  // dynamo-drip-store.ts holdsClaim; the outbox sweep's lock, suppression and subscriber reads (dynamo-store.ts, address-lock.ts)
  'dynamodb:GetItem on table',
  // dynamo-drip-store.ts getConsistently: the page's subscribers (claim) and send records + suppressions (checkBeforeSend)
  'dynamodb:BatchGetItem on table',
  // dynamo-signup-outbox.ts dueSignups: the OUTBOX partition of the table itself, by next attempt
  'dynamodb:Query on table',
  // dynamo-drip-store.ts queryShard: the due index, by its own ARN
  'dynamodb:Query on table/index/due',
  // dynamo-drip-store.ts recordSend; the sweep's claimAddress and createSubscriber (dynamo-store.ts)
  'dynamodb:PutItem on table',
  // dynamo-drip-store.ts hold; the sweep's claimSignup, releaseSignup, renewPending, forgetConfirmationSent, lock updates
  'dynamodb:UpdateItem on table',
  // dynamo-signup-outbox.ts finishSignup: a done request leaves the outbox; a retry's move (TransactWriteItems: delete + put)
  'dynamodb:DeleteItem on table',
  // dynamo-drip-store.ts logSends: the send log, 25 puts a request
  'dynamodb:BatchWriteItem on table',
  // dynamo-drip-store.ts executeAll (BatchExecuteStatement): claim, advance and release are PartiQL UPDATEs
  'dynamodb:PartiQLUpdate on table',
  // adapters/token-key.ts loadSecretTokenKey, via wiring/runtime.ts: signs the links in lessons and confirmations
  'secretsmanager:GetSecretValue on token-secret',
  // adapters/ses-mailer.ts sendRaw (lessons; the sweep's confirmations); in the sandbox on this account's identities
  'ses:SendRawEmail on ses:identity/*',
  'ses:SendRawEmail on ses:configuration-set',
  // Lambda's on-failure destination (a failed or dropped async tick or share) is written with the function's role
  'sqs:SendMessage on drip-failure-queue',
  // adapters/eventbridge-events.ts PutEvents, via wiring/events.ts: signed_up (the outbox sweep), lesson_sent, completed
  'events:PutEvents on event-bus',
];

describe('each role allows exactly what its code calls', () => {
  let defaults: Template;
  let fannedOut: Template;
  let production: Template;
  beforeAll(async () => {
    defaults = (await synthCourse()).serviceTemplate;
    fannedOut = (await synthCourse({ context: { dripSenders: '4', maxSendRate: '200' } })).serviceTemplate;
    production = (await synthCourse({ context: { sesSandbox: false } })).serviceTemplate;
  }, 120_000);

  it('api: reads and three kinds of write on the table, the token key; no SES, no Query, no batch, no delete', () => {
    expect(grantsOf(defaults, 'Email course HTTP app')).toEqual(
      [
        ...OWN_LOGS,
        // dynamo-store.ts getSubscriber (the confirm and unsubscribe pages and buttons)
        'dynamodb:GetItem on table',
        // dynamo-signup-outbox.ts enqueueSignup: POST /subscribe stores the request for the outbox (acceptSignup)
        'dynamodb:PutItem on table',
        // dynamo-store.ts hitRateLimit (per-IP signup limit), keepAddress + activate (confirm), unsubscribe,
        // and dynamo-feedback-store.ts countUnsubscribeAfter (the per-lesson "left after" counter)
        'dynamodb:UpdateItem on table',
        // adapters/token-key.ts loadSecretTokenKey, via wiring/runtime.ts: checks the link tokens
        'secretsmanager:GetSecretValue on token-secret',
        // adapters/eventbridge-events.ts PutEvents, via wiring/events.ts: confirmed, unsubscribed, the learner's controls, feedback
        'events:PutEvents on event-bus',
      ].sort(),
    );
  });

  it('drip: the drip store and the signup outbox sweep on the table, Query on the due index, the key, SES send and quota', () => {
    expect(grantsOf(defaults, 'Email course drip')).toEqual(
      [
        ...OWN_LOGS,
        ...DRIP_TABLE,
        // adapters/send-quota.ts: the single drip caps its rate at the account's (runDrip's startRun)
        'ses:GetSendQuota on *',
      ].sort(),
    );
  });

  it('ses-events: event dedupe, the address lock, stop, suppress and counters; its dead-letter queue', () => {
    expect(grantsOf(defaults, 'Email course SES events')).toEqual(
      [
        ...OWN_LOGS,
        // Lambda's async dead-letter queue (DeadLetterConfig) is written with the function's role
        'sqs:SendMessage on dead-letter-queue',
        // address-lock.ts findAddressLock (dynamo-feedback-store.ts findSubscriberId)
        'dynamodb:GetItem on table',
        // dynamo-feedback-store.ts claimEvent: the first delivery of an SES event wins
        'dynamodb:PutItem on table',
        // dynamo-feedback-store.ts stopSubscriber, suppressAddress, addSoftBounce, resetSoftBounces, the lesson counters
        'dynamodb:UpdateItem on table',
        // dynamo-feedback-store.ts releaseEvent: an event whose handling failed is released for the retry
        'dynamodb:DeleteItem on table',
        // adapters/eventbridge-events.ts PutEvents, via wiring/events.ts: bounced, complained
        'events:PutEvents on event-bus',
      ].sort(),
    );
  });

  it('fanned out: the planner plans, reads the quota and invokes the sender; each sender makes the drip’s calls', () => {
    expect(grantsOf(fannedOut, 'Email course drip planner')).toEqual(
      [
        ...OWN_LOGS,
        // core/drip/planner.ts (adapters/dynamo-fan-out.ts): the conditional put of the tick's plan item
        'dynamodb:PutItem on table',
        // adapters/send-quota.ts: the planner splits the account's rate among the senders
        'ses:GetSendQuota on *',
        // adapters/sender-invoke.ts: InvokeCommand of the sender (Function.grantInvoke writes the ARN and its versions)
        'lambda:InvokeFunction on sender-function',
        'lambda:InvokeFunction on sender-function:*',
        // Lambda's on-failure destination (a failed or dropped tick) is written with the function's role
        'sqs:SendMessage on drip-failure-queue',
      ].sort(),
    );
    // A sender is given its share of the rate by the planner: it never reads the quota itself (core/drip/start.ts startRun).
    expect(grantsOf(fannedOut, 'Email course drip sender')).toEqual([...OWN_LOGS, ...DRIP_TABLE].sort());
    expect(grantsOf(fannedOut, 'Email course HTTP app')).toEqual(grantsOf(defaults, 'Email course HTTP app'));
  });

  it('behind CloudFront, the api also reads the origin-verify secret (adapters/origin-verify.ts), and nothing else changes', async () => {
    const behind = (await synthCourse({ context: { behindCloudFront: true } })).serviceTemplate;
    expect(grantsOf(behind, 'Email course HTTP app')).toEqual(
      [...grantsOf(defaults, 'Email course HTTP app'), 'secretsmanager:GetSecretValue on origin-verify-secret'].sort(),
    );
    expect(grantsOf(behind, 'Email course drip')).toEqual(grantsOf(defaults, 'Email course drip'));
    expect(grantsOf(behind, 'Email course SES events')).toEqual(grantsOf(defaults, 'Email course SES events'));
  });

  it('after SES production access (sesSandbox=false), the drip sends from the domain identity only', () => {
    const sends = grantsOf(production, 'Email course drip').filter((g) => g.startsWith('ses:SendRawEmail'));
    expect(sends).toEqual(['ses:SendRawEmail on ses:configuration-set', 'ses:SendRawEmail on ses:domain-identity']);
    expect(grantsOf(production, 'Email course HTTP app').filter((g) => g.startsWith('ses:'))).toEqual([]);
  });
});
