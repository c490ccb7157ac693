// Starts bench/services.ts in a child process and talks to it (see there).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchServices {
  dynamoUrl: string;
  sesUrl: string;
  /** SendRawEmail calls the sink has seen, with their arrival times (ms, the child's clock), and the PutEvents entries. */
  arrivals(): Promise<{ count: number; events: number; arrivals: number[] }>;
  reset(): Promise<void>;
  /** The services process's CPU time so far (µs). */
  cpu(): Promise<NodeJS.CpuUsage>;
  close(): Promise<void>;
}

export async function startBenchServices(): Promise<BenchServices> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./services.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 0;
  const ready = await new Promise<{ dynamo: string; ses: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench services exited with code ${code} before starting`)));
    child.on('message', (m: unknown) => {
      const msg = m as { ready?: { dynamo: string; ses: string }; id?: number; result?: unknown };
      if (msg.ready) resolve(msg.ready);
      else if (msg.id !== undefined) {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      }
    });
  });
  child.removeAllListeners('exit');
  const ask = <T>(op: string) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (r: unknown) => void);
      child.send({ id, op });
    });
  return {
    dynamoUrl: ready.dynamo,
    sesUrl: ready.ses,
    arrivals: () => ask('arrivals'),
    reset: () => ask('reset'),
    cpu: () => ask('cpu'),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
