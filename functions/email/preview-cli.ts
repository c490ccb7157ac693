// `npm run preview -- --out DIR`: every lesson and the confirmation email as HTML and text files,
// filled in with a sample name and links, plus an index.html to open them in a browser.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileCourse } from './compile.js';
import { defaultTemplatesDir, loadCourse } from './manifest.js';
import { escapeHtml, renderConfirmation, renderLesson, type RenderedEmail } from './personalise.js';

const SAMPLE = {
  name: 'Alex',
  unsubscribeUrl: 'http://localhost:3000/unsubscribe?token=sample-unsubscribe-token',
  confirmUrl: 'http://localhost:3000/confirm?token=sample-confirm-token',
};

/** File stem for lesson `i` (0-based): `01-introduction` from `lessons/01-introduction.mjml`. */
function lessonStem(i: number, file: string): string {
  const base = (file.split('/').pop() ?? file).replace(/\.mjml$/, '').replace(/^\d+-/, '');
  return `${String(i + 1).padStart(2, '0')}-${base}`;
}

/** Write the preview files into `outDir`; returns the index path and the files written. */
export async function writePreview(outDir: string, templatesDir: string = defaultTemplatesDir): Promise<{ index: string; files: string[] }> {
  const compiled = await compileCourse(loadCourse(templatesDir), templatesDir);
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const entries: { stem: string; label: string; email: RenderedEmail }[] = [
    { stem: '00-confirmation', label: 'Confirmation (double opt-in)', email: renderConfirmation(compiled, { confirmUrl: SAMPLE.confirmUrl }) },
    ...compiled.course.lessons.map((lesson, i) => ({
      stem: lessonStem(i, lesson.file),
      label: `Lesson ${i + 1}: ${lesson.title}`,
      email: renderLesson(compiled, i, { name: SAMPLE.name, unsubscribeUrl: SAMPLE.unsubscribeUrl }),
    })),
  ];
  const files: string[] = [];
  for (const { stem, email } of entries) {
    await writeFile(join(dir, `${stem}.html`), email.html, 'utf8');
    await writeFile(join(dir, `${stem}.txt`), email.text, 'utf8');
    files.push(`${stem}.html`, `${stem}.txt`);
  }
  const rows = entries
    .map(({ stem, label, email }) => `<li><a href="${stem}.html">${escapeHtml(label)}</a> (<a href="${stem}.txt">text</a>)<br><small>Subject: ${escapeHtml(email.subject)}<br>Preheader: ${escapeHtml(email.preheader)}</small></li>`)
    .join('\n');
  const title = `${escapeHtml(compiled.course.title)}: email preview`;
  const index = join(dir, 'index.html');
  await writeFile(
    index,
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2933}li{margin:0 0 1rem}small{color:#4b5563}</style></head>
<body><h1>${title}</h1><p>Sample name “${escapeHtml(SAMPLE.name)}”, sample links. Edit templates/, then run <code>npm run preview</code> again.</p><ol start="0">
${rows}
</ol></body></html>\n`,
    'utf8',
  );
  files.push('index.html');
  return { index, files };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'preview' }, templates: { type: 'string', default: defaultTemplatesDir } } });
  const { index, files } = await writePreview(values.out, values.templates);
  console.log(`Wrote ${files.length} preview files to ${resolve(values.out)}\nOpen ${index}`);
}

main().catch((e: unknown) => {
  console.error(`Preview failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
