// CPU profile of one part of the benchmark, taken in-process with the inspector (the same profile
// `node --cpu-prof` writes, limited to the drip run), and where its time went, by kind of code.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShares {
  /** Sampled milliseconds not idle. */
  busyMs: number;
  /** Share of the busy time per kind of code, largest first. */
  shares: { kind: string; ms: number; share: number }[];
}

/** Runs `work` under the sampling profiler; writes the .cpuprofile when `file` is given. */
export async function profiled<T>(work: () => Promise<T>, file?: string): Promise<{ result: T; shares: ProfileShares }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  let profile: Profile;
  let result: T;
  try {
    result = await work();
  } finally {
    ({ profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile });
    session.disconnect();
  }
  if (file !== undefined) writeFileSync(file, JSON.stringify(profile));
  return { result, shares: sharesOf(profile) };
}

// A sample counts for the first kind found anywhere on its stack, in this order: work the SDK
// started (its own JS, SigV4 hashing, the HTTP requests it makes) is the SDK's.
const KINDS: [string, (url: string) => boolean][] = [
  ['AWS SDK v3 (serialise, sign, HTTP requests, parse)', (u) => /node_modules\/@(smithy|aws-sdk)\//.test(u)],
  ['luxon (time zones)', (u) => u.includes('node_modules/luxon/')],
  ['Node http/net (responses arriving, sockets)', (u) => /^node:(_http|net|internal\/(stream|streams|net|http))/.test(u)],
  ['this project (drip, store, render, MIME, tokens)', (u) => u.includes('/functions/')],
];

export function sharesOf(profile: Profile): ProfileShares {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const kindOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = kindOf.get(id);
    if (known !== undefined) return known;
    const stack: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur)!);
    const own = stack[0]!.callFrame.functionName;
    let kind = own === '(garbage collector)' ? 'garbage collector' : own === '(idle)' ? 'idle' : 'other';
    // The profiler's own work when it stops (serialising the profile) is not the drip's.
    if (stack.some((f) => f.callFrame.url === 'node:inspector')) kind = 'idle';
    if (kind === 'other')
      for (const [name, test] of KINDS)
        if (stack.some((f) => test(f.callFrame.url))) {
          kind = name;
          break;
        }
    kindOf.set(id, kind);
    return kind;
  };
  const ms = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const kind = classify(id);
    ms.set(kind, (ms.get(kind) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  ms.delete('idle');
  const busyMs = [...ms.values()].reduce((a, b) => a + b, 0);
  const shares = [...ms].map(([kind, t]) => ({ kind, ms: t, share: t / busyMs })).sort((a, b) => b.ms - a.ms);
  return { busyMs, shares };
}
