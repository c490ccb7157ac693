// The cloud assembly as JSON, the way CloudFormation gets it: the stacks' templates (from manifest.json),
// and a resolver that turns their intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
// Fn::ImportValue, Fn::GetStackOutput, Fn::Select, Fn::Split) into the names and URLs of the local run.
// A reference it has no local value for throws, naming it: the run must not guess.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The fake account the run deploys into: recorded calls and the resolved policies use the same. */
export const ACCOUNT = '000000000000';
export const REGION = 'eu-west-1';
export const PARTITION = 'aws';

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  Parameters?: Record<string, { Default?: unknown }>;
}

/** The stacks of an assembly, by stack name, and the folder their asset paths are relative to. */
export interface Assembly {
  dir: string;
  stacks: Record<string, CfnTemplate>;
}

/** Read manifest.json's CloudFormation stacks from an assembly folder. */
export function readAssembly(dir: string): Assembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks: Record<string, CfnTemplate> = {};
  for (const [name, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    stacks[name] = JSON.parse(readFileSync(join(dir, artifact.properties!.templateFile!), 'utf8')) as CfnTemplate;
  }
  return { dir, stacks };
}

/** Every resource of `type` across the assembly's stacks. */
export function resourcesOf(assembly: Assembly, type: string): { stack: string; id: string; resource: Resource }[] {
  return Object.entries(assembly.stacks).flatMap(([stack, t]) =>
    Object.entries(t.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, resource]) => ({ stack, id, resource })),
  );
}

/** What the local run answers for attributes no name can give (e.g. the HTTP API's endpoint). */
export interface LocalValues {
  /** Appended to every generated physical name, so two runs share one DynamoDB Local. */
  nameSuffix?: string;
  /** The local API Gateway's base URL, by the Api's logical id (GetAtt ApiEndpoint). */
  apiEndpoint?: (logicalId: string) => string;
}

/** The local physical name of a resource: its own name property when the template sets one. */
export function physicalName(stack: string, id: string, resource: Resource, suffix = ''): string {
  const p = resource.Properties ?? {};
  const own = {
    'AWS::DynamoDB::Table': p.TableName,
    'AWS::Lambda::Function': p.FunctionName,
    'AWS::SES::ConfigurationSet': p.Name,
    'AWS::Events::EventBus': p.Name,
  }[resource.Type];
  if (typeof own === 'string') return own;
  // CloudFormation's own pattern (<stack>-<logical id>-<suffix>), without the random suffix.
  return `${stack}-${id}${suffix}`.slice(0, 64);
}

function arnOf(stack: string, id: string, resource: Resource, suffix: string): string {
  const name = physicalName(stack, id, resource, suffix);
  const arns: Record<string, string> = {
    'AWS::DynamoDB::Table': `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
    'AWS::Lambda::Function': `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    'AWS::Logs::LogGroup': `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`,
    'AWS::SQS::Queue': `arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:${name}`,
    'AWS::IAM::Role': `arn:${PARTITION}:iam::${ACCOUNT}:role/${name}`,
    'AWS::KMS::Key': `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${name}`,
    'AWS::SNS::Topic': `arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:${name}`,
    'AWS::SecretsManager::Secret': `arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`,
    'AWS::Events::EventBus': `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/${name}`,
  };
  const arn = arns[resource.Type];
  if (arn === undefined) throw new Error(`no local ARN for ${resource.Type} ${stack}/${id}`);
  return arn;
}

/** What Ref gives for a resource (CloudFormation's return values, per type). */
function refOf(stack: string, id: string, resource: Resource, suffix: string): string {
  if (['AWS::SNS::Topic', 'AWS::SecretsManager::Secret'].includes(resource.Type)) return arnOf(stack, id, resource, suffix);
  if (resource.Type === 'AWS::SQS::Queue')
    return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName(stack, id, resource, suffix)}`;
  return physicalName(stack, id, resource, suffix);
}

/** A resolver for values of `stack`'s template. */
export type Resolve = (value: unknown, where: string) => unknown;

/** Resolve `value` (a template fragment of `stack`) to plain JSON; `where` names it in errors. */
export function resolver(assembly: Assembly, stack: string, local: LocalValues = {}): Resolve {
  const template = assembly.stacks[stack];
  if (template === undefined) throw new Error(`no stack ${stack} in the assembly`);
  const suffix = local.nameSuffix ?? '';
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': PARTITION,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stack,
  };
  const resolve: Resolve = (value, where) => {
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, `${where}[${i}]`));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [key, arg] = entries[0] ?? [];
    if (entries.length !== 1 || key === undefined || !(key === 'Ref' || key.startsWith('Fn::'))) {
      return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, `${where}.${k}`)]));
    }
    return intrinsic(key, arg, where);
  };
  const str = (v: unknown, where: string): string => {
    const r = resolve(v, where);
    if (typeof r !== 'string') throw new Error(`${where}: expected a string, got ${JSON.stringify(r)}`);
    return r;
  };
  const ref = (name: string, where: string): string => {
    if (pseudo[name] !== undefined) return pseudo[name];
    const resource = template.Resources[name];
    if (resource !== undefined) return refOf(stack, name, resource, suffix);
    const param = template.Parameters?.[name];
    if (typeof param?.Default === 'string' || typeof param?.Default === 'number') return String(param.Default);
    throw new Error(`${where}: cannot resolve Ref ${name} in ${stack}`);
  };
  const getAtt = (id: string, attr: string, where: string): string => {
    const resource = template.Resources[id];
    if (resource === undefined) throw new Error(`${where}: Fn::GetAtt of ${id}, which ${stack} does not define`);
    if (attr === 'Arn') return arnOf(stack, id, resource, suffix);
    if (resource.Type === 'AWS::ApiGatewayV2::Api' && attr === 'ApiEndpoint' && local.apiEndpoint) return local.apiEndpoint(id);
    if (resource.Type === 'AWS::SQS::Queue' && attr === 'QueueName') return physicalName(stack, id, resource, suffix);
    throw new Error(`${where}: cannot resolve Fn::GetAtt ${id}.${attr} (${resource.Type}) to a local value`);
  };
  const stackOutput = (otherStack: string, output: string, where: string): unknown => {
    const other = assembly.stacks[otherStack];
    const out = other?.Outputs?.[output];
    if (out === undefined) throw new Error(`${where}: stack ${otherStack} has no output ${output}`);
    return resolver(assembly, otherStack, local)(out.Value, `${otherStack}.Outputs.${output}`);
  };
  const importValue = (name: string, where: string): unknown => {
    for (const [other, t] of Object.entries(assembly.stacks)) {
      for (const [outName, out] of Object.entries(t.Outputs ?? {})) {
        if (out.Export && resolver(assembly, other, local)(out.Export.Name, `${other}.Outputs.${outName}.Export`) === name) {
          return stackOutput(other, outName, where);
        }
      }
    }
    throw new Error(`${where}: no stack exports ${name}`);
  };
  const sub = (arg: unknown, where: string): string => {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in vars) return str(vars[name], `${where}.${name}`);
      const [id, attr] = name.split('.');
      return attr === undefined ? ref(id!, where) : getAtt(id!, attr, where);
    });
  };
  function intrinsic(key: string, arg: unknown, where: string): unknown {
    switch (key) {
      case 'Ref':
        return ref(arg as string, where);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return getAtt(id!, attr!, where);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return parts.map((p, i) => str(p, `${where}[${i}]`)).join(sep);
      }
      case 'Fn::Sub':
        return sub(arg, where);
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (resolve(list, where) as unknown[])[Number(resolve(index, where))];
      }
      case 'Fn::Split': {
        const [sep, text] = arg as [string, unknown];
        return str(text, where).split(sep);
      }
      case 'Fn::ImportValue':
        return importValue(str(arg, where), where);
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = arg as { StackName: unknown; OutputName: unknown };
        return stackOutput(str(StackName, where), str(OutputName, where), where);
      }
      default:
        throw new Error(`${where}: the run cannot resolve ${key} ${JSON.stringify(arg)}`);
    }
  }
  return resolve;
}

/**
 * A copy of `assembly` with its templates changed by `mutate`, written to a new folder: the manifest
 * and the changed templates, the asset folders linked (not rebuilt), so a mutation costs no esbuild.
 */
export function writeMutatedAssembly(assembly: Assembly, mutate: (stacks: Record<string, CfnTemplate>) => void): Assembly {
  const dir = mkdtempSync(join(tmpdir(), 'course-mutated-'));
  const stacks = JSON.parse(JSON.stringify(assembly.stacks)) as Record<string, CfnTemplate>;
  mutate(stacks);
  copyFileSync(join(assembly.dir, 'manifest.json'), join(dir, 'manifest.json'));
  for (const [name, template] of Object.entries(stacks))
    writeFileSync(join(dir, `${name}.template.json`), JSON.stringify(template, null, 1));
  for (const entry of readdirSync(assembly.dir)) if (entry.startsWith('asset.')) symlinkSync(join(assembly.dir, entry), join(dir, entry));
  return readAssembly(dir);
}
