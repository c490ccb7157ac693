// The cloud assemblies the deploy tests run: `cdk synth` with real esbuild bundling, once per vitest
// run and per variant (the single drip Lambda, and the fan-out planner with its senders), shared by
// every deploy test file. The first worker to ask synthesises into .local/deploy-assembly/<run>/
// (git-ignored) behind a lock folder; the others wait for its READY file, so esbuild runs once.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { newCourse } from '../../../functions/authoring/new-course.js';
import { repoRoot } from '../../../infra/constructs/course-function.js';
import { SHIPPED_COURSE_DIR } from '../../support/course.js';
import { synthCourse } from '../../infra/synth.js';

/** Which drip the app is synthesised with. */
export type Variant = 'single' | 'fanout';

/**
 * Context every deploy synth gets: a sender other than the manifest's, so a run shows which one is
 * used; the placeholder domain allowed, as a test may (a real deploy names its own domain).
 */
export const DEPLOY_CONTEXT: Readonly<Record<string, unknown>> = {
  senderDomain: 'example.net',
  fromAddress: 'lessons@example.net',
  allowPlaceholderDomain: true,
  // The CLI's `cdk synth` writes each asset's folder into the template (aws:asset:path); the harness reads it there.
  'aws:cdk:enable-asset-metadata': true,
  // …and each resource's construct path (aws:cdk:path), by which the tests name the functions.
  'aws:cdk:enable-path-metadata': true,
};

/** Fan-out: three senders of one email a second each (the rate, 3/s, needs all three). */
export const FAN_OUT_CONTEXT: Readonly<Record<string, unknown>> = { dripSenders: 3, ratePerSender: 1, maxSendRate: 3 };

/** The two courses the deploy runs ship: the repository's and a small one made from a test article. */
export const COURSE_SLUGS = ['botox-permanent-numbness', 'walking-for-health'] as const;

/** Where every run's assemblies go (git-ignored); test/deploy/global-setup.ts removes its run's. */
export const ASSEMBLY_ROOT = join(repoRoot, '.local', 'deploy-assembly');

/** The run's folder: the id globalSetup provides (test/deploy/global-setup.ts), or this process's own. */
function runDir(): string {
  let id: string | undefined;
  try {
    id = inject('deployRunId');
  } catch {
    id = undefined;
  }
  return join(ASSEMBLY_ROOT, id ?? `solo-${process.pid}-${randomUUID().slice(0, 8)}`);
}

/** A folder holding both courses (COURSES_DIR for the synth), made once per run. */
async function coursesDir(run: string): Promise<string> {
  const dir = join(run, 'courses');
  if (existsSync(join(dir, COURSE_SLUGS[1]))) return dir;
  await cp(SHIPPED_COURSE_DIR, join(dir, COURSE_SLUGS[0]), { recursive: true });
  await newCourse({ article: join(repoRoot, 'test/fixtures/articles/walking.txt'), coursesDir: dir });
  return dir;
}

async function synthInto(run: string, variant: Variant, outdir: string): Promise<void> {
  const courses = await coursesDir(run);
  const before = process.env.COURSES_DIR;
  process.env.COURSES_DIR = courses;
  try {
    await synthCourse({ bundle: true, outdir, context: { ...DEPLOY_CONTEXT, ...(variant === 'fanout' ? FAN_OUT_CONTEXT : {}) } });
  } finally {
    if (before === undefined) delete process.env.COURSES_DIR;
    else process.env.COURSES_DIR = before;
  }
}

/**
 * The cloud assembly folder of `variant` for this run, synthesised with bundling on first use.
 * Throws what the synthesising worker threw when it failed; waits at most five minutes for it.
 */
export async function deployAssembly(variant: Variant): Promise<string> {
  const run = runDir();
  mkdirSync(run, { recursive: true });
  const outdir = join(run, variant);
  const ready = join(run, `${variant}.READY`);
  const failed = join(run, `${variant}.FAILED`);
  let mine = true;
  try {
    mkdirSync(join(run, `${variant}.lock`));
  } catch {
    mine = false;
  }
  if (mine) {
    try {
      // The courses folder is shared by both variants: the first lock holder of the run makes it.
      await withLock(join(run, 'courses.lock'), () => coursesDir(run));
      await synthInto(run, variant, outdir);
      writeFileSync(ready, '');
    } catch (e: unknown) {
      writeFileSync(failed, e instanceof Error ? (e.stack ?? e.message) : String(e));
      throw e;
    }
    return outdir;
  }
  for (const until = Date.now() + 300_000; Date.now() < until; await delay(200)) {
    if (existsSync(ready)) return outdir;
    if (existsSync(failed)) throw new Error(`the ${variant} synth failed in another worker:\n${readFileSync(failed, 'utf8')}`);
  }
  throw new Error(`the ${variant} synth did not finish within five minutes (${outdir})`);
}

async function withLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      await delay(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
