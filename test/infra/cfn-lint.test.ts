// cfn-lint (AWS CloudFormation Linter) over every template the app synthesises, with the defaults
// and with every opt-in flipped, so a property CloudFormation would refuse at deploy (a wrong
// type, a property the resource does not have in some region) fails here first. No error may be
// left; a warning passes only when it is listed below with its reason.
//
// cfn-lint is a Python tool (pip install cfn-lint), not an npm package: under CI its absence fails these
// tests; elsewhere they are skipped with a printed note (test/support/tools.ts).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { synthCourse } from './synth.js';
import { requireTool } from '../support/tools.js';

const cfnLint = requireTool('cfn-lint', 'cfn-lint', 'pip install cfn-lint');

/** Warnings accepted, each with why it is not fixed. Anything else cfn-lint reports fails. */
const ACCEPTED_WARNINGS: { rule: string; message: RegExp; reason: string }[] = [
  {
    rule: 'W3005',
    // Handler: the single-function constructs; Sender and Planner: the drip fanned out.
    message:
      /^'\w+(?:Handler|Sender|Planner)Role\w+' dependency already enforced by a 'GetAtt' at 'Resources\/\w+(?:Handler|Sender|Planner)Function\w+\/Properties\/Role'$/,
    reason:
      'The CDK adds an explicit DependsOn from each Lambda to its execution role next to the Role GetAtt; the duplicate ' +
      'dependency changes nothing in the deploy order, and removing it would mean editing generated output.',
  },
];

interface Finding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

const run = promisify(execFile);

/** Run cfn-lint once over the given templates; its exit code is non-zero whenever it finds anything. */
async function lint(templates: string[]): Promise<Finding[]> {
  const result = await run('cfn-lint', ['--format', 'json', ...templates], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }).catch(
    (e: unknown) => e as { stdout?: string; stderr?: string; code?: number },
  );
  const stdout = result.stdout ?? '';
  if (stdout.trim() === '') throw new Error(`cfn-lint printed nothing: ${result.stderr ?? ''}`);
  return JSON.parse(stdout) as Finding[];
}

cfnLint.describe('cfn-lint over the synthesised templates', () => {
  let findings: Finding[];
  let templates: string[];
  beforeAll(async () => {
    const defaults = await synthCourse();
    const flipped = await synthCourse({
      context: {
        dripReservedConcurrency: true,
        sesSandbox: false,
        behindCloudFront: true,
        disableExecuteApiEndpoint: true,
        publicUrl: 'https://course.example.com',
        corsOrigins: 'https://www.example.com',
        alarmEmail: 'ops@example.com',
        domainName: 'course.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/1f2e3d4c-0000-4bbb-8ccc-123456789abc',
        trackOpensAndClicks: true,
      },
    });
    // The drip fanned out to a planner and senders (dripSenders > 1) instead of the single drip Lambda.
    const fannedOut = await synthCourse({ context: { dripSenders: '4', maxSendRate: '200' } });
    templates = [defaults, flipped, fannedOut].flatMap((s) => [s.data, s.service].map((stack) => join(s.outdir, stack.templateFile)));
    findings = await lint(templates);
  }, 120_000);

  const show = (f: Finding) => `${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`;

  it('finds no error in any of the six templates', () => {
    expect(templates).toHaveLength(6);
    expect(findings.filter((f) => f.Level === 'Error').map(show)).toEqual([]);
  });

  it('finds no warning except the listed ones, each with its reason', () => {
    const unexplained = findings.filter(
      (f) => f.Level === 'Warning' && !ACCEPTED_WARNINGS.some((w) => w.rule === f.Rule.Id && w.message.test(f.Message)),
    );
    expect(unexplained.map(show)).toEqual([]);
    for (const w of ACCEPTED_WARNINGS) expect(w.reason.length).toBeGreaterThan(60);
  });
});
