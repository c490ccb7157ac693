// The dependency direction the code keeps (docs/contributing/style.md): functions/core holds the rules and talks to
// the world only through its ports (functions/core/ports.ts). It imports nothing from email/, http/,
// adapters/, handlers/, local/ or cli/, and no AWS SDK; rendering and MIME reach the drip through a port.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const core = join(root, 'functions/core');

/** Every module specifier a file imports or re-exports (static and dynamic), types included. */
function specifiers(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found = [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  found.push(...[...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!));
  found.push(...[...source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!));
  return found;
}

const coreFiles = readdirSync(core, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(core, f));

describe('dependency direction', () => {
  it('finds the core modules', () => {
    expect(coreFiles.length).toBeGreaterThan(10);
  });

  it.each(coreFiles.map((f) => [relative(root, f), f]))(
    '%s imports only core modules, Node built-ins and plain libraries',
    (_name, file) => {
      const outside = specifiers(file).filter((s) => {
        if (s.startsWith('.')) return !resolve(dirname(file), s).startsWith(core);
        return s.startsWith('@aws-sdk/') || s.startsWith('@aws-lambda-powertools/') || s.startsWith('hono');
      });
      expect(outside).toEqual([]);
    },
  );
});
