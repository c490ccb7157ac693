// Infra and the handlers agree on the Lambda environment: each function gets only variables its
// handler's settings schema reads (functions/adapters/config.ts), and every one the schema requires.
import type { Template } from 'aws-cdk-lib/assertions';
import { apiLambdaSettings, appSettings, plannerSettings, sendingLambdaSettings } from '../../functions/adapters/config.js';
import { ENV, type SettingKey, type SettingsShape } from '../../functions/config/settings.js';

/** Each function, by the start of its description, and the schema its handler reads. */
const HANDLERS: [description: string, schema: SettingsShape][] = [
  ['Email course HTTP app', apiLambdaSettings],
  ['Email course drip:', sendingLambdaSettings],
  ['Email course drip sender', sendingLambdaSettings],
  ['Email course drip planner', plannerSettings],
  ['Email course SES events', appSettings],
];

/** Set for the runtime, not the handler. */
const RUNTIME = new Set(['NODE_OPTIONS']);

export interface FunctionSettings {
  function: string;
  /** Variables infra sets that the handler does not read (a typo, or a dead setting). */
  unread: string[];
  /** Variables the handler requires that infra does not set. */
  missing: string[];
}

/** For every Lambda function in the template: what infra sets against what its handler reads. */
export function lambdaSettings(t: Template): FunctionSettings[] {
  const functions = Object.values(t.findResources('AWS::Lambda::Function') as Record<string, { Properties: Record<string, unknown> }>);
  return functions.map(({ Properties: p }) => {
    const description = String(p.Description);
    const schema = HANDLERS.find(([start]) => description.startsWith(start))?.[1];
    if (schema === undefined) throw new Error(`no settings schema known for the function "${description}"`);
    const set = Object.keys((p.Environment as { Variables?: object } | undefined)?.Variables ?? {});
    const keys = Object.keys(schema) as SettingKey[];
    const reads = new Set<string>(keys.map((k) => ENV[k]));
    const required = keys.filter((k) => !schema[k]!.safeParse(undefined).success).map((k) => ENV[k]);
    return {
      function: description.split(':')[0]!,
      unread: set.filter((v) => !reads.has(v) && !RUNTIME.has(v)),
      missing: required.filter((v) => !set.includes(v)),
    };
  });
}
