// `course <command> --help` asks for the usage, as `course --help` does: it prints it and succeeds,
// touching nothing (no table is reached: the environment points DynamoDB at a closed port).
import { describe, expect, it } from 'vitest';
import { main } from '../../../functions/cli/main.js';
import { collector } from '../../support/collector.js';

describe('course <command> --help', () => {
  for (const argv of [['--help'], ['stats', '--help'], ['migrate-suppressions', '-h'], ['import', 'list.csv', '--help']]) {
    it(`course ${argv.join(' ')} prints the usage on stdout and exits 0`, async () => {
      const out = collector();
      const err = collector();
      const code = await main(argv, { out, err, env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' } });
      expect({ code, err: err.text() }).toEqual({ code: 0, err: '' });
      const command = argv[0] === '--help' ? undefined : argv[0]!;
      if (command === undefined) {
        // The whole usage: every command.
        expect(out.text()).toMatch(/stats/);
        expect(out.text()).toMatch(/import/);
      } else {
        // That command's own usage: its synopsis and options, and where the rest is.
        expect(out.text()).toMatch(new RegExp(`^Usage: course ${command}\\b`));
        expect(out.text()).toContain('All commands: course --help');
      }
    });
  }

  it('course new --help names its own options, not the other commands', async () => {
    const out = collector();
    expect(await main(['new', '--help'], { out, err: collector(), env: {} })).toBe(0);
    expect(out.text()).toContain('--lang <tag>');
    expect(out.text()).not.toMatch(/^\s+stats\b/m);
  });

  it('an unknown option is still a usage error (exit 2)', async () => {
    const out = collector();
    const err = collector();
    expect(await main(['stats', '--nope'], { out, err, env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' } })).toBe(2);
    expect(err.text()).toMatch(/--nope/);
  });
});
