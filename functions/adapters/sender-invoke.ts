// The drip planner's side of the fan-out (functions/core/drip/planner.ts): each sender's share handed to
// the drip-sender Lambda as an asynchronous invoke (InvocationType Event), the share as its payload.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DependencyError } from '../core/errors.js';
import type { ShareOrder } from '../core/drip/index.js';

/**
 * `functionName`: the drip-sender Lambda (name or ARN). The answer invokes it once per call with
 * `order` as JSON; it throws DependencyError naming the sender when Lambda refuses the invoke.
 */
export function createSenderInvoker(
  functionName: string,
  client: LambdaClient = new LambdaClient({}),
): (order: ShareOrder) => Promise<void> {
  return async (order) => {
    try {
      await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(order)),
        }),
      );
    } catch (e: unknown) {
      throw new DependencyError(`Lambda Invoke of drip sender ${order.share.sender} failed`, e);
    }
  };
}
