// Writes the generated references: docs/reference/configuration.md from the settings table
// (functions/config/settings.ts) and the CDK context table (infra/config.ts), and docs/reference/cli.md
// from the command definitions (functions/cli/commands/). `npm run docs:reference` writes them;
// test/unit/config/reference.test.ts fails when a committed file differs from what this produces.
// The one-line docs are the tables' doc comments, read from the source with the TypeScript parser.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { benchEnvSettings } from '../bench/options.js';
import { apiLambdaSettings, appSettings, plannerSettings, sendingLambdaSettings } from '../functions/adapters/config.js';
import { cliSettings } from '../functions/cli/target.js';
import { cliReference } from '../functions/cli/usage.js';
import { SETTINGS, type SettingKey } from '../functions/config/settings.js';
import { localSettings } from '../functions/local/settings.js';
import { CONTEXT } from '../infra/config.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A doc comment's text and its `@default` tag, if any. */
interface Doc {
  text: string;
  default?: string;
}

/** The doc comment of each property of the object literal `name` in `file` (relative to the root). */
export function docComments(file: string, name: string): Map<string, Doc> {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const docs = new Map<string, Doc>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) {
      let init: ts.Expression = node.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (!ts.isObjectLiteralExpression(init)) throw new Error(`${file}: ${name} is not an object literal`);
      for (const p of init.properties) {
        if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) continue;
        const jsDoc = ts.getJSDocCommentsAndTags(p).find(ts.isJSDoc);
        const text = ts.getTextOfJSDocComment(jsDoc?.comment)?.trim();
        if (!text) throw new Error(`${file}: ${name}.${p.name.text} has no doc comment (one line for the reference)`);
        const tag = jsDoc?.tags?.find((t) => t.tagName.text === 'default');
        const fallback = ts.getTextOfJSDocComment(tag?.comment)?.trim();
        docs.set(p.name.text, { text: text.replace(/\s+/g, ' '), ...(fallback ? { default: fallback } : {}) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (docs.size === 0) throw new Error(`${file}: no object literal ${name}`);
  return docs;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');
const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

/** Each entry point and the settings schema it reads. */
const READERS: [label: string, shape: object][] = [
  ['api Lambda', apiLambdaSettings],
  ['drip and drip sender Lambdas', sendingLambdaSettings],
  ['drip planner Lambda', plannerSettings],
  ['SES events Lambda', appSettings],
  ['`npm start`', localSettings],
  // `course` finds the local stack through npm start's own settings.
  ['`course`', { ...localSettings, ...cliSettings }],
  ['`npm run bench`', benchEnvSettings],
];
const LAMBDAS = ['api Lambda', 'drip and drip sender Lambdas', 'drip planner Lambda', 'SES events Lambda'];

function variablesTable(): string[] {
  const docs = docComments('functions/config/settings.ts', 'SETTINGS');
  return [
    '| Variable | Default | Meaning | Read by |',
    '| --- | --- | --- | --- |',
    ...(Object.keys(SETTINGS) as SettingKey[]).map((key) => {
      const s = SETTINGS[key];
      const doc = docs.get(key);
      if (doc === undefined) throw new Error(`SETTINGS.${key} has no doc comment`);
      const fallback = doc.default ?? ('required' in s ? 'required' : 'default' in s ? code(s.default) : 'unset');
      const readers = READERS.filter(([, shape]) => key in shape).map(([label]) => label);
      const lambdas = readers.filter((r) => LAMBDAS.includes(r));
      const readBy = lambdas.length === LAMBDAS.length ? ['every Lambda', ...readers.filter((r) => !LAMBDAS.includes(r))] : readers;
      return `| \`${s.env}\` | ${cell(fallback)} | ${cell(doc.text)} | ${readBy.join(', ')} |`;
    }),
  ];
}

function contextTable(): string[] {
  const docs = docComments('infra/config.ts', 'CONTEXT');
  const cdkJson = (JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  return [
    '| Key | Default | Meaning |',
    '| --- | --- | --- |',
    ...Object.entries(CONTEXT).map(([key, rule]) => {
      const doc = docs.get(key);
      if (doc === undefined) throw new Error(`CONTEXT.${key} has no doc comment`);
      const parsed = (rule as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(cdkJson[key]);
      const value = parsed.data;
      const fallback =
        doc.default ??
        (!parsed.success ? 'required' : value === undefined || (Array.isArray(value) && value.length === 0) ? 'unset' : code(value));
      return `| \`${key}\` | ${cell(fallback)} | ${cell(doc.text)} |`;
    }),
  ];
}

/** docs/reference/configuration.md. */
export function configurationReference(): string {
  return [
    '<!-- Generated by `npm run docs:reference` from functions/config/settings.ts and infra/config.ts; edit those, not this file. -->',
    '',
    '# Configuration',
    '',
    '## Environment variables',
    '',
    'Each entry point reads its variables once at start; a bad value stops it with `Bad setting NAME: …`,',
    "and a blank value counts as unset. In AWS, infra sets the Lambdas' variables from the context keys below.",
    'Each variable is one entry of the table in functions/config/settings.ts (name, parser, default, this line);',
    'adding a setting is adding an entry there, picking it in the schema of each entry point that reads it, and',
    'running `npm run docs:reference`.',
    '',
    ...variablesTable(),
    '',
    '## CDK context keys',
    '',
    "Read by `cdk synth` and `cdk deploy` from cdk.json's `context` or `-c key=value` (an empty value clears a",
    "cdk.json default); a bad value fails the synth naming the key. The defaults are cdk.json's, else the rule's.",
    '',
    ...contextTable(),
    '',
  ].join('\n');
}

/** Every generated reference, by its path from the repository root. */
export function references(): Record<string, string> {
  return {
    'docs/reference/configuration.md': configurationReference(),
    'docs/reference/cli.md': cliReference(),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [path, text] of Object.entries(references())) {
    writeFileSync(join(root, path), text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
