// The configuration and CLI references are generated from the code (the settings table, the CDK
// context table, the command definitions): a setting, context key, command or option added without
// regenerating them (`npm run docs:reference`) fails here, and so does one without its doc line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docComments, references } from '../../../scripts/docs-reference.js';
import { SETTINGS } from '../../../functions/config/settings.js';
import { CONTEXT } from '../../../infra/config.js';
import { COMMANDS } from '../../../functions/cli/commands/index.js';

describe('the generated references', () => {
  for (const [path, text] of Object.entries(references())) {
    it(`${path} is what \`npm run docs:reference\` writes`, () => {
      expect(readFileSync(path, 'utf8')).toBe(text);
    });
  }

  it('name every environment variable, context key, command and option', () => {
    const { 'docs/reference/configuration.md': configuration = '', 'docs/reference/cli.md': cli = '' } = references();
    for (const s of Object.values(SETTINGS)) expect(configuration).toContain(`| \`${s.env}\` |`);
    for (const key of Object.keys(CONTEXT)) expect(configuration).toContain(`| \`${key}\` |`);
    for (const c of COMMANDS) {
      expect(cli).toContain(`### \`course ${c.name}`);
      for (const option of Object.keys(c.options)) expect(cli).toContain(`\`--${option}`);
    }
  });

  it('a table entry without its doc comment stops the generator, naming it', () => {
    expect(docComments('functions/config/settings.ts', 'SETTINGS').size).toBe(Object.keys(SETTINGS).length);
    expect(() => docComments('test/unit/config/undocumented.fixture.ts', 'UNDOCUMENTED')).toThrow(
      'test/unit/config/undocumented.fixture.ts: UNDOCUMENTED.bare has no doc comment',
    );
  });
});
