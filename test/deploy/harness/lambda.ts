// The Lambda service of the run: every AWS::Lambda::Function of the template, from its own asset folder
// in the cloud assembly, with the template's Handler, Timeout, MemorySize and Environment (references
// resolved to local names). Each function instance is a warm container (container.mjs, one child
// process each, since a function's environment is process-global); an invocation takes an idle
// container of its function or starts a new one, as Lambda scales out. Async invocations (Invoke with
// InvocationType Event, EventBridge, SNS) are tracked, so a test can wait until the system is idle.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** One function as the template declares it, resolved for this machine. */
export interface FunctionSpec {
  /** The template's logical id. */
  logicalId: string;
  /** Its construct path below the stack (aws:cdk:path without "/Resource"), e.g. "HttpApi/Handler/Function". */
  path: string;
  /** Its physical name (FunctionName), and ARN. */
  name: string;
  arn: string;
  /** The asset folder in the cloud assembly, the file and export of Handler ("index.handler"). */
  dir: string;
  file: string;
  exportName: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The template's Environment.Variables, resolved. */
  environment: Record<string, string>;
}

/** What one invocation did. */
export interface Invocation {
  function: string;
  container: number;
  event: unknown;
  startedAt: number;
  endedAt?: number;
  ok?: boolean;
  result?: unknown;
  error?: { message: string; type: string };
  async: boolean;
}

interface Container {
  id: number;
  child: ChildProcess;
  busy: boolean;
  pending: Map<string, (r: { ok: boolean; result?: unknown; error?: { message: string; type: string } }) => void>;
}

const CONTAINER = fileURLToPath(new URL('./container.mjs', import.meta.url));

export interface LambdaServiceOptions {
  /** The environment a new container gets besides the function's (AWS endpoints, credentials, region). */
  runtimeEnv: (fn: FunctionSpec, container: number) => Promise<Record<string, string>>;
  /** How far the functions' clock is ahead of real time, read at each invocation. */
  clockOffsetMs: () => number;
}

/** The run's Lambda: invoke by name or ARN, sync or async; logs and invocations kept for the tests. */
export class LambdaService {
  readonly invocations: Invocation[] = [];
  /** What each function wrote to stdout/stderr (CloudWatch Logs), by function name. */
  readonly logs = new Map<string, string[]>();
  private readonly containers = new Map<string, Container[]>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private nextContainer = 0;

  constructor(
    readonly functions: readonly FunctionSpec[],
    private readonly options: LambdaServiceOptions,
  ) {
    for (const fn of functions) {
      if (!existsSync(join(fn.dir, fn.file))) throw new Error(`${fn.path}: no ${fn.file} in its asset folder ${fn.dir}`);
    }
  }

  /** The function named `nameOrArn` (name, ARN, or ARN with a qualifier); undefined when the template has none. */
  find(nameOrArn: string): FunctionSpec | undefined {
    const bare = nameOrArn.replace(/^(arn:[^:]+:lambda:[^:]+:[^:]+:function:[^:]+):[^:]+$/, '$1');
    return this.functions.find((f) => f.name === bare || f.arn === bare);
  }

  /** A synchronous invoke (RequestResponse): resolves with what the handler returned, rejects with its error. */
  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const inv = await this.run(nameOrArn, event, false);
    if (!inv.ok) throw new Error(`${inv.function} failed: ${inv.error?.type}: ${inv.error?.message}`);
    return inv.result;
  }

  /** An asynchronous invoke (InvocationType Event): returns at once; `idle()` waits for it. */
  invokeAsync(nameOrArn: string, event: unknown): void {
    const p = this.run(nameOrArn, event, true).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves once no async invocation is running (including those started meanwhile). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Async invocations that failed (Lambda would retry or drop them per the EventInvokeConfig). */
  failures(): Invocation[] {
    return this.invocations.filter((i) => i.async && i.ok === false);
  }

  private async run(nameOrArn: string, event: unknown, async: boolean): Promise<Invocation> {
    const fn = this.find(nameOrArn);
    if (fn === undefined) throw new Error(`ResourceNotFoundException: Function not found: ${nameOrArn}`);
    const container = await this.container(fn);
    const inv: Invocation = { function: fn.path, container: container.id, event, startedAt: Date.now(), async };
    this.invocations.push(inv);
    const id = randomUUID();
    const answer = await new Promise<{ ok: boolean; result?: unknown; error?: { message: string; type: string } }>((resolve) => {
      container.pending.set(id, resolve);
      container.child.send({
        type: 'invoke',
        id,
        event,
        requestId: id,
        functionArn: fn.arn,
        clockOffsetMs: this.options.clockOffsetMs(),
      });
    });
    Object.assign(inv, answer, { endedAt: Date.now() });
    container.busy = false;
    return inv;
  }

  private async container(fn: FunctionSpec): Promise<Container> {
    const list = this.containers.get(fn.name) ?? [];
    this.containers.set(fn.name, list);
    const idle = list.find((c) => !c.busy && c.child.exitCode === null);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    const id = this.nextContainer++;
    const runtimeEnv = await this.options.runtimeEnv(fn, id);
    const child = fork(CONTAINER, [join(fn.dir, fn.file), fn.exportName, fn.name, String(fn.timeoutSeconds * 1000), String(fn.memoryMb)], {
      cwd: fn.dir,
      // Only what Lambda would set: the template's environment, the runtime's variables, the endpoints.
      env: {
        PATH: process.env.PATH ?? '',
        // lambda-local reads ~/.aws; an empty home keeps this machine's profiles out of the run.
        HOME: tmpdir(),
        ...fn.environment,
        LAMBDA_TASK_ROOT: fn.dir,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        _HANDLER: `${fn.file.replace(/\.m?js$/, '')}.${fn.exportName}`,
        ...runtimeEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const container: Container = { id, child, busy: true, pending: new Map() };
    const logs = this.logs.get(fn.path) ?? [];
    this.logs.set(fn.path, logs);
    child.stdout?.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type: string; id?: string; ok?: boolean }) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'result') {
          container.pending.get(m.id!)?.(m as never);
          container.pending.delete(m.id!);
        }
      });
      child.once('exit', (code) => {
        reject(new Error(`${fn.path}: container exited (${code})`));
        for (const done of container.pending.values()) done({ ok: false, error: { type: 'Runtime.Exit', message: `exit ${code}` } });
      });
    });
    list.push(container);
    return container;
  }

  /** Stop every container. */
  async stop(): Promise<void> {
    const all = [...this.containers.values()].flat();
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.child.exitCode !== null) return resolve();
            c.child.once('exit', () => resolve());
            c.child.kill();
          }),
      ),
    );
  }
}
