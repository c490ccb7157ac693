// Build step: compile the course once and write it as JSON for the Lambda bundles, which then
// load it with loadPrecompiledCourse and never import mjml. `npm run build:lessons -- --out FILE`.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { compileCourse } from './compile.js';
import { defaultTemplatesDir, loadCourse } from './manifest.js';

export const DEFAULT_COMPILED_PATH = 'build/compiled-course.json';

/** Compile templates/ and write the result to `outPath`; returns the absolute path and size. */
export async function writeCompiledCourse(outPath: string = DEFAULT_COMPILED_PATH, templatesDir: string = defaultTemplatesDir): Promise<{ path: string; bytes: number; lessons: number }> {
  const compiled = await compileCourse(loadCourse(templatesDir), templatesDir);
  const path = resolve(outPath);
  const json = JSON.stringify(compiled);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, json, 'utf8');
  return { path, bytes: Buffer.byteLength(json), lessons: compiled.lessons.length };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: DEFAULT_COMPILED_PATH }, templates: { type: 'string', default: defaultTemplatesDir } } });
  const written = await writeCompiledCourse(values.out, values.templates);
  console.log(`Compiled ${written.lessons} lessons and the confirmation email into ${written.path} (${(written.bytes / 1024).toFixed(1)} KB)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
