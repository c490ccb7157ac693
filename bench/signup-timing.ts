// `npm run bench:signup`: how long `POST /subscribe` takes to answer for an address that is new,
// pending, active or suppressed, through real HTTP against the local stack (DynamoDB Local, the SES
// emulator). The answer must not tell them apart: the form stores the signup in the outbox
// and answers; the address-dependent work runs after the answer. For contrast it also times that work
// itself (applySignup, which the answer used to wait for), per state.
//
//   npm run bench:signup                     200 rounds per state
//   npm run bench:signup -- --rounds 500 --json signup-timing.json
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SESClient } from '@aws-sdk/client-ses';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../functions/adapters/dynamo-client.js';
import { keys, suppressionHash } from '../functions/adapters/table.js';
import { applySignup } from '../functions/core/signup.js';
import { parseSignupInput } from '../functions/core/validation.js';
import { readShape, wholeNumber, withDefault } from '../functions/config/parts.js';
import { parseLocalSettings } from '../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../functions/local/stack.js';
import { emulatorEmails } from '../functions/local/services.js';
import { sesMailer, subscriptionDeps } from '../functions/wiring/index.js';

const STATES = ['new', 'pending', 'active', 'suppressed'] as const;
type State = (typeof STATES)[number];

const { values } = parseArgs({ options: { rounds: { type: 'string' }, json: { type: 'string' } } });
const { rounds } = readShape({ rounds: withDefault(wholeNumber(10), 200) }, values, (key) => `--${key}`);

interface Figures {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  /** Half the width of a bootstrap 95 % interval of the median: the noise a difference is judged against. */
  medianNoiseMs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

function figures(samples: readonly number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  // Bootstrap the median (fixed seed: the same samples give the same figure).
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const medians: number[] = [];
  for (let b = 0; b < 500; b++) {
    const resample = Array.from({ length: sorted.length }, () => sorted[Math.floor(random() * sorted.length)]!).sort((x, y) => x - y);
    medians.push(quantile(resample, 0.5));
  }
  medians.sort((a, b) => a - b);
  return {
    medianMs: quantile(sorted, 0.5),
    p10Ms: quantile(sorted, 0.1),
    p90Ms: quantile(sorted, 0.9),
    medianNoiseMs: (quantile(medians, 0.975) - quantile(medians, 0.025)) / 2,
  };
}

let counter = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${counter++}@bench.example`;

async function prepare(stack: LocalStack, state: State): Promise<string> {
  const email = fresh(state);
  if (state === 'new') return email;
  if (state === 'suppressed') {
    await stack.doc.send(
      new PutCommand({ TableName: stack.tableName, Item: { ...keys.suppression(suppressionHash(email)), reason: 'complaint' } }),
    );
    return email;
  }
  await post(stack, email);
  await stack.signupsSettled();
  if (state === 'active') {
    const mail = (await emulatorEmails(stack.inboxUrl)).filter((m) => m.destination.to.includes(email)).at(-1);
    const token = /\/confirm\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
    if (!token) throw new Error(`no confirmation for ${email}`);
    const res = await fetch(`${stack.url}/confirm?token=${token}`, { method: 'POST' });
    if (res.status !== 200) throw new Error(`confirm answered ${res.status}`);
  }
  return email;
}

async function post(stack: LocalStack, email: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${stack.url}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email, name: 'Bench' }),
  });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`POST /subscribe answered ${res.status}`);
  return ms;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-signup-'));
  const settings = {
    ...parseLocalSettings({ DATA_DIR: dataDir, DRIP_EVERY: '0', SIGNUPS_PER_IP_PER_HOUR: '1000000' }),
    port: 0,
    sesPort: 0,
    dynamodbPort: 0,
  };
  const stack = await startLocalStack({ settings, log: () => undefined });
  const ses = new SESClient({ endpoint: stack.inboxUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  // The work the answer no longer waits for, on the same table and emulator.
  const deps = subscriptionDeps({
    doc: stack.doc,
    tableName: stack.tableName,
    dueShards: stack.config.dueShards,
    mailer: sesMailer(ses, {}),
    tokens: stack.tokens,
    courses: stack.courses,
    config: stack.config,
  });
  const answer: Record<State, number[]> = { new: [], pending: [], active: [], suppressed: [] };
  const behind: Record<State, number[]> = { new: [], pending: [], active: [], suppressed: [] };
  try {
    // Warm-up: connections, JIT, the table's first writes.
    for (let i = 0; i < 30; i++) await post(stack, fresh('warm'));
    await stack.signupsSettled();
    for (let round = 0; round < rounds; round++) {
      // Every address of the round is made ready first, so what precedes each timed request is the
      // same (the previous signup's outbox work, finished); a new order each round spreads drift
      // over the run (the table growing, GC) over every state alike.
      const ready = new Map<State, { timed: string; behind: string }>();
      for (const state of STATES) ready.set(state, { timed: await prepare(stack, state), behind: await prepare(stack, state) });
      await stack.signupsSettled();
      const order = [...STATES].sort(() => Math.random() - 0.5);
      for (const state of order) {
        answer[state].push(await post(stack, ready.get(state)!.timed));
        // The outbox's work after the answer is not allowed to overlap the next measurement.
        await stack.signupsSettled();
      }
      for (const state of order) {
        const started = performance.now();
        await applySignup(deps, stack.courses.all[0]!, {
          fields: parseSignupInput({ email: ready.get(state)!.behind }),
          consent: { ip: 'bench', userAgent: 'bench', page: 'bench' },
          sendConfirmation: true,
        });
        behind[state].push(performance.now() - started);
      }
      if ((round + 1) % 50 === 0) console.error(`  ${round + 1}/${rounds} rounds`);
    }
  } finally {
    ses.destroy();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const results = Object.fromEntries(
    STATES.map((s) => [s, { answer: figures(answer[s]), workBehindTheAnswer: figures(behind[s]) }]),
  ) as Record<State, { answer: Figures; workBehindTheAnswer: Figures }>;
  const spread = (pick: (f: { answer: Figures; workBehindTheAnswer: Figures }) => Figures) => {
    const medians = STATES.map((s) => pick(results[s]).medianMs);
    return {
      spreadMs: Math.max(...medians) - Math.min(...medians),
      noiseMs: Math.max(...STATES.map((s) => pick(results[s]).medianNoiseMs)),
    };
  };
  const answerSpread = spread((r) => r.answer);
  const workSpread = spread((r) => r.workBehindTheAnswer);

  const f = (n: number) => n.toFixed(2).padStart(7);
  console.log(`\nPOST /subscribe answer time, ${rounds} rounds per state (real HTTP, local stack, Node ${process.versions.node})\n`);
  console.log('  state        answer median   p10      p90    ± noise   |  work behind the answer: median   p90');
  for (const s of STATES) {
    const a = results[s].answer;
    const w = results[s].workBehindTheAnswer;
    console.log(
      `  ${s.padEnd(11)} ${f(a.medianMs)} ms ${f(a.p10Ms)} ${f(a.p90Ms)}  ${f(a.medianNoiseMs)}   |  ${f(w.medianMs)} ms ${f(w.p90Ms)}`,
    );
  }
  const within = answerSpread.spreadMs <= 2 * answerSpread.noiseMs;
  console.log(
    `\n  answer medians differ by ${answerSpread.spreadMs.toFixed(2)} ms across states; noise (95 % interval half-width) up to ${answerSpread.noiseMs.toFixed(2)} ms: ${within ? 'the same within noise' : 'NOT within noise'}`,
  );
  console.log(
    `  the work behind the answer differs by ${workSpread.spreadMs.toFixed(2)} ms across states (what the answer used to wait for)\n`,
  );
  if (values.json)
    await writeFile(
      values.json,
      `${JSON.stringify({ rounds, node: process.versions.node, results, answerSpread, workSpread, withinNoise: within }, null, 2)}\n`,
    );
}

await main();
