// The documentation's promises, checked: every command README.md and docs/** show (fenced sh, bash,
// shell and console blocks) names a real npm script, a file that exists, or a `course` command and
// options its usage lists; every relative link reaches a file, and every #anchor a heading in it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.js';
import { collector } from '../support/collector.js';

const root = resolve(import.meta.dirname, '../..');
const docFiles = [
  'README.md',
  'CHANGELOG.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const scriptTable = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const scripts = Object.keys(scriptTable);

/** The source an npm script runs (`tsx FILE`, `node … FILE`) and the files it imports by relative path: where its options are declared. */
function scriptSources(script: string): string {
  const entry = (scriptTable[script] ?? '').split(' ').find((w) => /^(functions|bench|infra)\/.*\.ts$/.test(w));
  if (entry === undefined) return '';
  const text = read(entry);
  const imported = [...text.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((m) => join(dirname(entry), `${m[1]!}.ts`));
  return [text, ...imported.filter((f) => existsSync(join(root, f))).map(read)].join('\n');
}

interface Shown {
  file: string;
  line: number;
  command: string;
}

/** The commands of one Markdown file's shell blocks: continuations joined, comments and prompts removed, split at `&&`, `;` and `|`. */
function commandsIn(file: string): Shown[] {
  const found: Shown[] = [];
  let open = false;
  let shell: 'plain' | 'console' | undefined;
  let pending = '';
  let pendingLine = 0;
  read(file)
    .split('\n')
    .forEach((raw, i) => {
      const fence = /^\s*```(\w*)/.exec(raw);
      if (fence) {
        open = !open;
        const lang = fence[1] ?? '';
        shell = !open ? undefined : ['sh', 'bash', 'shell'].includes(lang) ? 'plain' : lang === 'console' ? 'console' : undefined;
        pending = '';
        return;
      }
      if (shell !== 'plain' && shell !== 'console') return;
      let line = raw.trim();
      if (pending === '') {
        if (shell === 'console') {
          if (!line.startsWith('$ ')) return;
          line = line.slice(2);
        }
        pendingLine = i + 1;
      }
      if (line.endsWith('\\')) {
        pending += line.slice(0, -1) + ' ';
        return;
      }
      const whole = (pending + line).replace(/(^|\s)#.*$/, '');
      pending = '';
      for (const part of whole.split(/&&|;|\|/)) if (part.trim() !== '') found.push({ file, line: pendingLine, command: part.trim() });
    });
  return found;
}

/** The words of a command, `VAR=value` prefixes and quotes dropped (a quoted phrase stays one word). */
function words(command: string): string[] {
  const out = [...command.matchAll(/"[^"]*"|'[^']*'|\S+/g)].map((m) => m[0].replace(/^["']|["']$/g, ''));
  while (out[0] !== undefined && /^[A-Z_][A-Z0-9_]*=/.test(out[0])) out.shift();
  return out;
}

const shown = docFiles.flatMap(commandsIn);
const where = (s: Shown) => `${s.file}:${s.line}: ${s.command}`;

/** `course <command> --help`, in-process: the usage text that command's options must appear in. */
async function usageOf(command: string): Promise<{ code: number; text: string }> {
  const out = collector();
  const err = collector();
  const code = await main([command, '--help'], { out, err, env: {} });
  return { code, text: out.text() + err.text() };
}

/** The `course` invocations: `npx course …`, `course …`, `npm run course -- …`. */
const courseRuns = shown.flatMap((s) => {
  const w = words(s.command);
  const at =
    w[0] === 'npx' && w[1] === 'course'
      ? 2
      : w[0] === 'course'
        ? 1
        : w[0] === 'npm' && w[1] === 'run' && w[2] === 'course'
          ? w[3] === '--'
            ? 4
            : 3
          : -1;
  if (at < 0) return [];
  const rest = w.slice(at);
  const command = rest[0];
  if (command === undefined || command.startsWith('<') || command === '…' || command.startsWith('-')) return [];
  const flags = rest.filter((x) => /^--[a-z]/.test(x)).map((x) => x.replace(/=.*$/, ''));
  return [{ ...s, cli: command, flags }];
});

describe('the commands the docs show', () => {
  it('finds commands in the docs (the scan reads the blocks)', () => {
    expect(shown.length).toBeGreaterThan(40);
    expect(courseRuns.length).toBeGreaterThan(10);
  });

  it('README.md starts with the quick start: npm ci && npm start, then npm test', () => {
    const readme = read('README.md');
    const first = /```(\w*)\n([\s\S]*?)```/.exec(readme);
    expect(first?.[2]).toMatch(/^npm ci && npm start\b.*\nnpm test\b/);
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('every `npm run X` names a script of package.json, and `npm ci|start|test` only those', () => {
    const bad = shown.filter((s) => {
      const w = words(s.command);
      if (w[0] !== 'npm') return false;
      if (w[1] === 'run') return w[2] === undefined || !scripts.includes(w[2].replace(/^--silent$/, ''));
      return !['ci', 'start', 'test', 'install'].includes(w[1] ?? '');
    });
    expect(bad.map(where)).toEqual([]);
  });

  it('every `npm run X -- --option` names an option the script declares', () => {
    const bad = shown.flatMap((s) => {
      const w = words(s.command);
      if (w[0] !== 'npm' || w[1] !== 'run' || w[2] === 'course' || w[3] !== '--') return [];
      const source = scriptSources(w[2]!);
      return w
        .slice(4)
        .filter((x) => /^--[a-z]/.test(x) && x !== '--help')
        .map((x) => x.slice(2).replace(/=.*$/, ''))
        .filter((name) => !new RegExp(`(['"\`]|--)${name}\\b|\\b${name}:`).test(source))
        .map((name) => `${where(s)}: --${name}`);
    });
    expect(bad).toEqual([]);
  });

  it('every path a command names (npx tsx FILE, npx vitest run PATH, node FILE) exists', () => {
    const missing = shown.flatMap((s) => {
      const w = words(s.command);
      const paths = w[0] === 'npx' && ['tsx', 'vitest'].includes(w[1] ?? '') ? w.slice(2) : w[0] === 'node' ? w.slice(1) : [];
      return paths
        .filter((p) => /^(functions|infra|bench|test|templates|bin|docs)\//.test(p))
        .filter((p) => !existsSync(join(root, p)))
        .map((p) => `${where(s)} (${p})`);
    });
    expect(missing).toEqual([]);
  });

  it('`npx cdk …` runs the CDK app cdk.json names, which exists', () => {
    const cdk = shown.filter((s) => /^npx cdk\b/.test(s.command));
    expect(cdk.length).toBeGreaterThan(3);
    const app = (JSON.parse(read('cdk.json')) as { app: string }).app;
    const file = app.split(' ').find((x) => x.endsWith('.ts'));
    expect(file !== undefined && existsSync(join(root, file))).toBe(true);
  });

  it('every `course` command shown exists, with every --option in its --help', async () => {
    const problems: string[] = [];
    const usage = new Map<string, { code: number; text: string }>();
    for (const run of courseRuns) {
      if (!usage.has(run.cli)) usage.set(run.cli, await usageOf(run.cli));
      const help = usage.get(run.cli)!;
      if (help.code !== 0) problems.push(`${where(run)}: no command "${run.cli}"`);
      for (const flag of run.flags)
        if (flag !== '--help' && !help.text.includes(flag)) problems.push(`${where(run)}: ${flag} is not in \`course ${run.cli} --help\``);
    }
    expect(problems).toEqual([]);
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const h = inFence ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!h) continue;
    const base = h[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('the links in the docs', () => {
  const links = docFiles.flatMap((file) =>
    [
      ...read(file)
        .replace(/```[\s\S]*?```/g, '')
        .matchAll(/\]\(([^)\s]+)\)/g),
    ]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/i.test(target))
      .map((target) => ({ file, target })),
  );

  it('finds relative links', () => {
    expect(links.length).toBeGreaterThan(20);
  });

  it('every relative link reaches a file, and its #anchor a heading there', () => {
    const broken = links.flatMap(({ file, target }) => {
      const [path = '', anchor] = target.split('#');
      const to = path === '' ? join(root, file) : resolve(dirname(join(root, file)), path);
      if (!existsSync(to)) return [`${file}: ${target} (no such file)`];
      if (anchor === undefined || statSync(to).isDirectory()) return [];
      return anchorsOf(readFileSync(to, 'utf8')).has(anchor) ? [] : [`${file}: ${target} (no heading #${anchor} in ${relative(root, to)})`];
    });
    expect(broken).toEqual([]);
  });

  it('every source path the docs name exists (style.md aside: it cites other projects)', () => {
    const missing = docFiles
      .filter((file) => !file.endsWith('style.md'))
      .flatMap((file) =>
        [...read(file).matchAll(/\b(?:functions|infra|test|bench)\/[\w./-]*[\w/]/g)]
          .map((m) => m[0])
          .filter((path) => !existsSync(join(root, path)))
          .map((path) => `${file}: ${path}`),
      );
    expect([...new Set(missing)]).toEqual([]);
  });

  it('the code names only docs that exist, and no issue numbers', () => {
    const sources = ['functions', 'infra', 'bench', 'test', 'bin', '.ci']
      .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)))
      .concat(readdirSync(root).filter((f) => /\.(ts|js|cjs|mjs)$/.test(f)))
      .filter(
        (f) => /\.(ts|mts|mjs|js|cjs)$|^\.ci\//.test(f) && f !== join('test', 'unit', 'docs.test.ts') && statSync(join(root, f)).isFile(),
      );
    const found = sources.flatMap((file) => {
      const text = read(file);
      const docs = [...text.matchAll(/\bdocs\/[\w/.-]+\.md\b/g)].map((m) => m[0]).filter((d) => !existsSync(join(root, d)));
      const issues = /\bissue #?\d/i.test(text) ? ['an issue number'] : [];
      return [...docs, ...issues].map((what) => `${file}: ${what}`);
    });
    expect(found).toEqual([]);
  });

  it('no doc points at an issue number', () => {
    const found = docFiles.flatMap((file) =>
      read(file)
        .split('\n')
        .flatMap((text, i) => (/\bissue #?\d/i.test(text) ? [`${file}:${i + 1}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
