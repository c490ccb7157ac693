// The benchmark's services in a process of their own: dynalite (DynamoDB) and the SES sink. Kept
// out of the measuring process so its CPU time is the drip's alone (in AWS, DynamoDB and SES run
// elsewhere too). Started with fork(); talks over the IPC channel:
//   → { id, op: 'arrivals' | 'reset' | 'cpu' }    ← { id, result }
// and sends { ready: { dynamo, ses } } once both listen. Exits when the parent goes.
import { startDynalite } from '../functions/local/services.js';
import { startSesSink } from './sink.js';

interface Request {
  id: number;
  op: 'arrivals' | 'reset' | 'cpu';
}

const dynalite = await startDynalite();
const sink = await startSesSink();

process.on('message', (raw: unknown) => {
  const { id, op } = raw as Request;
  let result: unknown;
  if (op === 'arrivals') result = { count: sink.count(), arrivals: sink.arrivals() };
  else if (op === 'reset') result = sink.reset();
  else result = process.cpuUsage();
  process.send?.({ id, result });
});
process.on('disconnect', () => {
  void Promise.all([sink.close(), dynalite.close()]).finally(() => process.exit(0));
});
process.send?.({ ready: { dynamo: dynalite.url, ses: sink.url } });
