// IAM, offline: each AWS call a function made during the run (recorded by harness/aws.ts) simulated
// against that function's role policies as the template writes them (AWS::IAM::Policy and
// AWS::IAM::ManagedPolicy attached to the role, and the role's inline Policies), resolved with the same
// fake account, region and partition as the recorded resources, by @cloud-copilot/iam-simulate.
// And the other way: every action a role is granted is used by some recorded call, or listed in
// GRANTED_NOT_CALLED with the reason.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AwsCall } from './aws.js';
import type { Deployment } from './deployment.js';
import { ACCOUNT, resourcesOf, type Assembly, type Resolve } from './template.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}
export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

/**
 * Actions a role holds that no code of its function calls, each with why it is granted anyway. The
 * unused-grant test fails on any other; `function` is the function's construct path (suffix match).
 */
export const GRANTED_NOT_CALLED: readonly { function: string; action: string; reason: string }[] = [
  { function: '', action: 'logs:CreateLogStream', reason: "the Lambda service writes the function's logs with its role; no code calls it" },
  { function: '', action: 'logs:PutLogEvents', reason: "the Lambda service writes the function's logs with its role; no code calls it" },
  {
    function: 'SesFeedback/Handler/Function',
    action: 'sqs:SendMessage',
    reason: 'Lambda sends an SNS event the function failed on to its dead-letter queue, with the role; no code calls it',
  },
  ...['DripSchedule/Handler/Function', 'DripFanOut/Sender/Function', 'DripFanOut/Planner/Function'].map((fn) => ({
    function: fn,
    action: 'sqs:SendMessage',
    reason: 'Lambda sends a failed or dropped async tick or share to the on-failure destination queue, with the role; no code calls it',
  })),
  {
    function: 'SesFeedback/Handler/Function',
    action: 'dynamodb:GetItem',
    reason: 'reads the address lock for a notification without the subscriber tag (findSubscriberId); every journey message carries it',
  },
  {
    function: 'SesFeedback/Handler/Function',
    action: 'dynamodb:DeleteItem',
    reason: 'releases a claimed SES event when applying it fails (dynamo-feedback-store "SES event release"): the failure path only',
  },
];

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** The role policies of one function (by its logical id), resolved with `resolve` (the deployment's names). */
export function rolePolicies(assembly: Assembly, stack: string, functionId: string, resolve: Resolve): PolicyDocument[] {
  const template = assembly.stacks[stack]!;
  const role = (template.Resources[functionId]?.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  if (role === undefined) throw new Error(`${functionId}: its Role is not a Fn::GetAtt of a role in ${stack}`);
  const roleResource = template.Resources[role]!;
  const managed = list((roleResource.Properties?.ManagedPolicyArns as unknown[]) ?? []);
  if (managed.length > 0) throw new Error(`${role}: managed policies ${JSON.stringify(managed)} cannot be read offline`);
  const inline = ((roleResource.Properties?.Policies as { PolicyDocument: unknown }[]) ?? []).map((p) => p.PolicyDocument);
  const attached = [...resourcesOf(assembly, 'AWS::IAM::Policy'), ...resourcesOf(assembly, 'AWS::IAM::ManagedPolicy')]
    .filter(({ stack: s, resource }) => s === stack && JSON.stringify(resource.Properties?.Roles ?? []).includes(`{"Ref":"${role}"}`))
    .map(({ resource }) => resource.Properties!.PolicyDocument);
  return [...inline, ...attached].map((doc, i) => resolve(doc, `${role}.policy[${i}]`) as PolicyDocument);
}

/** A recorded call IAM did not allow. */
export interface Denied {
  function: string;
  action: string;
  resource: string;
  result: string;
}

/** Simulate every recorded call (each resource separately) against its function's role. */
export async function simulateRecordedCalls(d: Deployment, calls: readonly AwsCall[] = d.calls): Promise<Denied[]> {
  const denied: Denied[] = [];
  const seen = new Set<string>();
  for (const call of calls) {
    const fn = d.lambda.functions.find((f) => f.path === call.function)!;
    const stack = resourcesOf(d.assembly, 'AWS::Lambda::Function').find((r) => r.id === fn.logicalId)!.stack;
    const policies = rolePolicies(d.assembly, stack, fn.logicalId, d.resolve(stack));
    for (const resource of call.resources) {
      const action = `${call.service}:${call.action}`;
      const key = `${call.function} ${action} ${resource}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const response = await runSimulation(
        {
          identityPolicies: policies.map((policy, i) => ({ name: `policy${i}`, policy })),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          request: {
            principal: `arn:aws:iam::${ACCOUNT}:role/${fn.name}-role`,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: {},
          },
        },
        {},
      );
      const result =
        response.resultType === 'error'
          ? `error ${JSON.stringify(response.errors)}`
          : (response as { overallResult: string }).overallResult;
      if (result !== 'Allowed') denied.push({ function: call.function, action, resource, result });
    }
  }
  return denied;
}

/** Actions granted to each function's role that no recorded call of it used and the table does not explain. */
export function unusedGrants(d: Deployment, calls: readonly AwsCall[] = d.calls): { function: string; action: string }[] {
  const unused: { function: string; action: string }[] = [];
  for (const fn of d.lambda.functions) {
    const stack = resourcesOf(d.assembly, 'AWS::Lambda::Function').find((r) => r.id === fn.logicalId)!.stack;
    const granted = new Set(
      rolePolicies(d.assembly, stack, fn.logicalId, d.resolve(stack)).flatMap((p) =>
        p.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)),
      ),
    );
    const used = new Set(calls.filter((c) => c.function === fn.path).map((c) => `${c.service}:${c.action}`));
    for (const action of granted) {
      if (used.has(action)) continue;
      if (GRANTED_NOT_CALLED.some((g) => g.action === action && fn.path.endsWith(g.function))) continue;
      unused.push({ function: fn.path, action });
    }
  }
  return unused;
}

/** Throws naming every recorded call the roles do not allow (function, action, resource, result). */
export async function expectAllowed(d: Deployment): Promise<void> {
  const denied = await simulateRecordedCalls(d);
  if (denied.length > 0)
    throw new Error(`IAM denies:\n${denied.map((x) => `${x.function}: ${x.action} on ${x.resource} (${x.result})`).join('\n')}`);
}
