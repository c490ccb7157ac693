// `npx tsx bench/check-fidelity.ts [--mb 5] [--json FILE]`: `course check`'s fidelity comparison on
// a long, list-like article (short paragraphs, a heading every 200 of them), written into a course by
// `course new` in a scratch folder. Prints the time and the peak memory (RSS) of the check alone, run in a fresh process, and writes
// them as JSON. The article is generated, so the figure is the same on every machine but for speed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkCourse, fidelityCheck } from '../functions/authoring/check.js';
import { newCourse } from '../functions/authoring/new-course.js';

const MIB = 1024 * 1024;

/** A Markdown article of about `bytes` bytes: a title, then a `##` section every 200 one-line paragraphs. */
export function listLikeArticle(bytes: number): { markdown: string; paragraphs: number } {
  const parts = ['# A long list\n'];
  let size = parts[0]!.length;
  let paragraphs = 0;
  while (size < bytes) {
    const part =
      paragraphs % 200 === 0
        ? `## Section ${paragraphs / 200 + 1}\n\nItem ${paragraphs + 1}: take note.\n`
        : `Item ${paragraphs + 1}: take note of ${paragraphs % 37} things.\n`;
    parts.push(part);
    size += part.length + 1;
    paragraphs++;
  }
  return { markdown: parts.join('\n'), paragraphs };
}

/** In a fresh process, so its peak RSS is the check's: the fidelity check of the course in `dir`. */
async function measureCheck(dir: string): Promise<void> {
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const report = await checkCourse(dir, [fidelityCheck]);
  const seconds = (performance.now() - started) / 1000;
  // getrusage's ru_maxrss (KiB): the most this process was ever resident, sampled by the kernel, so a
  // synchronous alignment cannot hide its peak from a timer.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ seconds, rssBefore: before, peakRss, problems: report.problems.length }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '5' }, json: { type: 'string' }, course: { type: 'string' } } });
  if (values.course !== undefined) return measureCheck(values.course);
  const bytes = Math.round(Number(values.mb) * MIB);
  const scratch = await mkdtemp(join(tmpdir(), 'bench-fidelity-'));
  try {
    const { markdown, paragraphs } = listLikeArticle(bytes);
    const article = join(scratch, 'long-list.md');
    await writeFile(article, markdown, 'utf8');
    const made = await newCourse({ article, coursesDir: scratch, slug: 'long-list' });
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--course', made.dir], {
      encoding: 'utf8',
      maxBuffer: 16 * MIB,
    });
    if (child.status !== 0) throw new Error(`the check process failed: ${child.stderr}`);
    const measured = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      seconds: number;
      rssBefore: number;
      peakRss: number;
      problems: number;
    };
    const figures = {
      articleBytes: Buffer.byteLength(markdown),
      paragraphs,
      lessons: made.lessons.length,
      problems: measured.problems,
      seconds: Number(measured.seconds.toFixed(2)),
      peakRssMiB: Number((measured.peakRss / MIB).toFixed(1)),
      rssBeforeCheckMiB: Number((measured.rssBefore / MIB).toFixed(1)),
    };
    console.log(
      `fidelity check of a ${(figures.articleBytes / MIB).toFixed(1)} MB article (${paragraphs} paragraphs, ${figures.lessons} lessons): ` +
        `${figures.seconds} s, peak RSS ${figures.peakRssMiB} MiB (${figures.rssBeforeCheckMiB} MiB before the check), ${figures.problems} problems`,
    );
    if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
    if (figures.problems !== 0) process.exitCode = 1;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
