// The build-time path Lambda uses: every course compiled to JSON once, loaded without mjml.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCompiledCourses } from '../../../functions/email/build-lessons.js';
import { renderLesson } from '../../../functions/email/personalise.js';
import { loadPrecompiledCourses } from '../../../functions/email/precompiled.js';
import { freshlyCompiledShippedCourse } from '../../support/course.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compiled-course-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('precompiled courses', () => {
  it('what the build writes loads back as the same compiled courses, and renders the same email', async () => {
    const out = join(dir, 'nested/compiled-course.json');
    const written = await writeCompiledCourses(out);
    expect(written).toMatchObject({ courses: 1, lessons: 8 });
    const [loaded] = await loadPrecompiledCourses(out);
    const fresh = await freshlyCompiledShippedCourse();
    expect(loaded).toEqual(fresh);
    const p = { name: 'Ann', unsubscribeUrl: 'https://example.com/unsubscribe?token=t', learnUrl: 'https://example.com/learn?token=t' };
    expect(renderLesson(loaded!, 4, p)).toEqual(renderLesson(fresh, 4, p));
    expect(loadPrecompiledCourses(out)).toBe(loadPrecompiledCourses(out));
  });

  it('a missing file fails saying how to build it', async () => {
    await expect(loadPrecompiledCourses(join(dir, 'absent.json'))).rejects.toThrow(/npm run build:lessons/);
  });

  it('a file that is not a list of compiled courses is refused', async () => {
    const path = join(dir, 'wrong.json');
    await writeFile(path, JSON.stringify([{ lessons: [] }]));
    await expect(loadPrecompiledCourses(path)).rejects.toThrow(/not a list of compiled courses/);
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
