// `npm run preview -- --out DIR [--course DIR]`, run as an author runs it: the files it writes and what it prints.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_COURSE_DIR, shippedCourse } from '../../support/course.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'course-preview-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run preview', () => {
  // Long timeout: the preview runs SpamAssassin once per email (about a second each on a busy core).
  it("writes NN-slug.html and .txt for every lesson and the confirmation into the course's folder, an index linking them all, and prints where", async () => {
    const top = join(dir, 'out');
    const { stdout } = await run('npm', ['run', '--silent', 'preview', '--', '--out', top], { cwd: root });
    const out = join(top, 'botox-permanent-numbness');

    expect(stdout).toContain(out);
    const lessons = shippedCourse().lessons;
    const stems = [
      '00-confirmation',
      ...lessons.map(
        (l, i) => `${String(i + 1).padStart(2, '0')}-${(l.file.split('/').pop() ?? '').replace(/\.mjml$/, '').replace(/^\d+-/, '')}`,
      ),
    ];
    expect(stems.slice(1).map((s) => s.slice(0, 3))).toEqual(['01-', '02-', '03-', '04-', '05-', '06-', '07-', '08-']);
    const files = (await readdir(out)).sort();
    expect(files).toEqual([...stems.flatMap((s) => [`${s}.html`, `${s}.txt`]), 'index.html'].sort());
    const index = await readFile(join(out, 'index.html'), 'utf8');
    for (const s of stems) {
      expect(index).toContain(`href="${s}.html"`);
      expect(index).toContain(`href="${s}.txt"`);
    }
    // Each email's checks: the SpamAssassin score (or why it was not run, a reason that may hold
    // parentheses of its own) and what caniemail flags.
    const checkLines =
      index.match(/(Checks pass|Checks FAIL)<\/span> · Spam score: (0\.0|not checked \([^<]*\))<br>Unsupported: none/g) ?? [];
    expect(checkLines).toHaveLength(stems.length);
    // Filled in: no placeholder is left in any file.
    for (const f of files) expect(await readFile(join(out, f), 'utf8'), f).not.toMatch(/\{\{[A-Za-z_]+\}\}/);
  }, 120_000);

  it('--course DIR previews that course only', async () => {
    const top = join(dir, 'one');
    await run('npm', ['run', '--silent', 'preview', '--', '--out', top, '--course', SHIPPED_COURSE_DIR], { cwd: root });
    expect(await readdir(top)).toEqual(['botox-permanent-numbness']);
    expect(await readdir(join(top, 'botox-permanent-numbness'))).toContain('01-introduction.html');
  }, 120_000); // the whole preview, SpamAssassin included, as the test above

  it('refuses an unknown option with a message and a failing exit code, writing nothing', async () => {
    const out = join(dir, 'never');
    const failed = run('npm', ['run', '--silent', 'preview', '--', '--outdir', out], { cwd: root });
    await expect(failed).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("Unknown option '--outdir'") });
    await expect(readdir(out)).rejects.toThrow();
  });
});
