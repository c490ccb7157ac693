// The build-time path Lambda uses: the course compiled to JSON once, loaded without mjml.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCompiledCourse } from '../../../functions/email/build-lessons.js';
import { compileCourse } from '../../../functions/email/compile.js';
import { loadCourse } from '../../../functions/email/manifest.js';
import { renderLesson } from '../../../functions/email/personalise.js';
import { loadPrecompiledCourse } from '../../../functions/email/precompiled.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compiled-course-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('precompiled course', () => {
  it('what the build writes loads back as the same compiled course, and renders the same email', async () => {
    const out = join(dir, 'nested/compiled-course.json');
    const written = await writeCompiledCourse(out);
    expect(written.lessons).toBe(8);
    const loaded = await loadPrecompiledCourse(out);
    const fresh = await compileCourse(loadCourse());
    expect(loaded).toEqual(fresh);
    const p = { name: 'Ann', unsubscribeUrl: 'https://example.com/unsubscribe?token=t' };
    expect(renderLesson(loaded, 4, p)).toEqual(renderLesson(fresh, 4, p));
    expect(loadPrecompiledCourse(out)).toBe(loadPrecompiledCourse(out));
  });

  it('a missing file fails saying how to build it', async () => {
    await expect(loadPrecompiledCourse(join(dir, 'absent.json'))).rejects.toThrow(/npm run build:lessons/);
  });

  it('a file that is not a compiled course is refused', async () => {
    const path = join(dir, 'wrong.json');
    await writeFile(path, JSON.stringify({ lessons: [] }));
    await expect(loadPrecompiledCourse(path)).rejects.toThrow(/not a compiled course/);
  });

  it('a Lambda bundle of the send path (precompiled, personalise, mime) contains no mjml and no nodemailer', async () => {
    const entry = fileURLToPath(new URL('../../../functions/email/', import.meta.url));
    const result = await build({
      stdin: {
        contents: "export * from './precompiled.js'; export * from './personalise.js'; export * from './mime.js';",
        resolveDir: entry,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.endsWith('mime.ts'))).toBe(true);
    expect(inputs.filter((i) => /mjml|html-to-text|nodemailer|compile\.ts/.test(i))).toEqual([]);
  });
});
