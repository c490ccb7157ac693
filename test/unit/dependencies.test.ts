// The dependency rules the code keeps (docs/contributing/style.md), checked by dependency-cruiser with the rules of
// .dependency-cruiser.cjs: no import circle; functions/core holds the rules and talks to the world only
// through its ports (functions/core/ports.ts), so it imports nothing from email/, http/, adapters/,
// handlers/, local/, cli/ or the wiring, and no AWS SDK, Powertools or Hono; adapters never import the
// HTTP layer or a handler; nothing that ships imports test/ or bench/; a handler gets everything from
// the wiring (functions/wiring/). Type-only imports count. A failure names each forbidden edge.
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const core = join(root, 'functions/core');
const config = join(root, '.dependency-cruiser.cjs');

const coreFiles = readdirSync(core, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => relative(root, join(core, f)));

/** The rules that keep the core to itself. */
const CORE_RULES = ['core-imports-only-core', 'core-no-aws-or-http-libraries', 'functions-not-test-or-bench', 'no-circular'];

/** A violation as one line: the rule, then the edge (or the circle) it forbids. */
function edge(v: IViolation): string {
  const circle = v.cycle?.map((c) => c.name) ?? [];
  return `${v.rule.name}: ${v.from} → ${circle.length > 0 ? circle.join(' → ') : v.to}`;
}

let result: ICruiseResult;
let ruleNames: string[];

beforeAll(async () => {
  const options = await extractDepcruiseOptions(config);
  ruleNames = (options.ruleSet?.forbidden ?? []).map((r) => r.name ?? '');
  const out = await cruise(['functions', 'infra', 'bench'], { ...options, baseDir: root }, undefined, {
    tsConfig: extractTSConfig(join(root, 'tsconfig.json')),
  });
  result = out.output as ICruiseResult;
}, 60_000);

const violations = (match: (v: IViolation) => boolean) => result.summary.violations.filter(match).map(edge);

describe('dependency direction (dependency-cruiser)', () => {
  it('finds the core modules', () => {
    expect(coreFiles.length).toBeGreaterThan(10);
  });

  it('resolves what it checks: the source modules, and libraries to their packages', () => {
    const modules = new Map(result.modules.map((m) => [m.source, m]));
    for (const file of coreFiles) expect(modules.has(file), file).toBe(true);
    const targets = (file: string) => modules.get(file)?.dependencies.map((d) => d.resolved) ?? [];
    expect(targets('functions/handlers/drip.ts')).toContain('functions/wiring/drip.ts');
    expect(targets('functions/adapters/dynamo-client.ts').some((t) => t.startsWith('node_modules/@aws-sdk/'))).toBe(true);
  });

  it.each(coreFiles.map((f) => [f]))('%s imports only core modules, Node built-ins and plain libraries', (file) => {
    expect(violations((v) => v.from === file && CORE_RULES.includes(v.rule.name))).toEqual([]);
  });

  it.each([
    'no-circular',
    'core-imports-only-core',
    'core-no-aws-or-http-libraries',
    'adapters-not-http-or-handlers',
    'functions-not-test-or-bench',
    'handlers-only-wiring',
    'handlers-no-libraries',
  ])('%s: no module breaks it', (rule) => {
    expect(ruleNames).toContain(rule);
    expect(violations((v) => v.rule.name === rule)).toEqual([]);
  });

  it('no forbidden edge at all, whichever rule', () => {
    expect(violations(() => true)).toEqual([]);
  });
});
