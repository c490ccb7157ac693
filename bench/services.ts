// The benchmark's services in a process of their own: AWS's DynamoDB Local (a Java child of this
// process) and the SES sink. Kept
// out of the measuring process so its CPU time is the drip's alone (in AWS, DynamoDB and SES run
// elsewhere too). Started with fork(); talks over the IPC channel:
//   → { id, op: 'arrivals' | 'reset' | 'cpu' }    ← { id, result }
// and sends { ready: { dynamo, ses } } once both listen. Exits when the parent goes.
import { readFileSync } from 'node:fs';
import { startDynamoDbLocal } from '../functions/local/services.js';
import { startSesSink } from './sink.js';

interface Request {
  id: number;
  op: 'arrivals' | 'reset' | 'cpu';
}

const dynamo = await startDynamoDbLocal();
const sink = await startSesSink();

process.on('message', (raw: unknown) => {
  const { id, op } = raw as Request;
  let result: unknown;
  if (op === 'arrivals') result = { count: sink.count(), events: sink.events(), arrivals: sink.arrivals() };
  else if (op === 'reset') result = sink.reset();
  else result = servicesCpu();
  process.send?.({ id, result });
});
process.on('disconnect', () => {
  void Promise.all([sink.close(), dynamo.close()]).finally(() => process.exit(0));
});
process.send?.({ ready: { dynamo: dynamo.url, ses: sink.url } });

/**
 * CPU used by this process and the DynamoDB Local JVM, in microseconds (user, system), the shape of
 * process.cpuUsage(). The JVM's share comes from /proc/<pid>/stat (utime, stime in clock ticks,
 * fields 14 and 15; proc(5)); where /proc is missing only this process is counted.
 */
function servicesCpu(): NodeJS.CpuUsage {
  const own = process.cpuUsage();
  try {
    const stat = readFileSync(`/proc/${dynamo.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tickUs = 1e6 / 100; // USER_HZ is 100 on Linux
    return { user: own.user + Number(fields[11]) * tickUs, system: own.system + Number(fields[12]) * tickUs };
  } catch {
    return own;
  }
}
