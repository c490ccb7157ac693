// Every email the product composes, through the real path (compile → personalise → MIME) for a
// sample recipient: Apache SpamAssassin (local rules) scores 0.0, and caniemail's data flags nothing
// that is not on the short accepted list. A second course, built in a temp folder the way an author
// builds one, shows the same checks catch an article that trips them.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCEPTED_FEATURES,
  ACCEPTED_SPAM_RULES,
  checkEmails,
  composeCourseEmails,
  formatChecks,
  lintClientSupport,
  parseSpamReport,
  spamScore,
  type EmailCheck,
} from '../../../functions/authoring/deliverability.js';
import { main } from '../../../functions/cli/main.js';
import { collector } from '../../support/collector.js';
import { courseFolders } from '../../support/courses.js';
import { SHIPPED_COURSE_DIR } from '../../support/course.js';
import { requireTool } from '../../support/tools.js';

// The scores need Apache SpamAssassin: under CI its absence fails those tests, elsewhere skips them (tools.ts).
const spamassassin = requireTool('spamassassin', 'spamassassin', 'apt-get install spamassassin');

let shipped: { checks: EmailCheck[]; ids: string[] };
let authored: { dir: string; checks: EmailCheck[] };

/** A copy of the shipped course with one lesson that hides text white on white and asks for overflow-wrap. */
async function authorCourseThatTrips(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'course-check-'));
  await cp(SHIPPED_COURSE_DIR, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8')) as { slug: string; lessons: { file: string }[] };
  manifest.slug = 'an-authors-course';
  await writeFile(
    join(dir, manifest.lessons[0]!.file),
    `<mj-text css-class="lesson">
  <p>An article with a hidden line <span style="color:#ffffff;background-color:#ffffff;">keywords for the search engines keywords</span> in it.</p>
  <p style="overflow-wrap:anywhere;">https://example.com/a-very-long-link/that/an/author/pasted/into/the/article/and/that/never/breaks</p>
</mj-text>\n`,
  );
  await writeFile(join(dir, 'course.json'), JSON.stringify(manifest));
  return dir;
}

beforeAll(async () => {
  shipped = { checks: [], ids: [] };
  for (const dir of courseFolders()) {
    const { course, emails } = await composeCourseEmails(dir);
    shipped.checks.push(...(await checkEmails(emails)).map((c) => ({ ...c, label: `${course.slug}: ${c.label}` })));
    shipped.ids.push(...['confirmation', ...course.lessons.map((_, i) => `lesson-${i + 1}`)]);
  }
  const dir = await authorCourseThatTrips();
  authored = { dir, checks: await checkEmails((await composeCourseEmails(dir)).emails.slice(0, 2)) };
}, 120_000);

afterAll(async () => {
  if (authored) await rm(authored.dir, { recursive: true, force: true });
});

describe('SpamAssassin (local rules) over every composed email', () => {
  it('checks the confirmation and every lesson of every course, each composed as a full MIME message', () => {
    expect(shipped.checks.map((c) => c.id)).toEqual(shipped.ids);
    expect(shipped.ids.length).toBeGreaterThanOrEqual(9);
  });

  spamassassin.it('every email scores 0.0, and any rule with points is on the accepted list with a reason', () => {
    for (const check of shipped.checks) {
      expect(check.spam.status, check.label).toBe('scored');
      if (check.spam.status !== 'scored') continue;
      expect(check.spam.findings, `${check.label}\n${formatChecks([check])}`).toEqual([]);
      expect(check.spam.score, check.label).toBeLessThanOrEqual(0);
      expect(
        check.spam.rules.map((r) => r.name),
        check.label,
      ).not.toContain('HTML_FONT_LOW_CONTRAST');
    }
  });

  it('every accepted rule has a written reason', () => {
    for (const [rule, reason] of Object.entries(ACCEPTED_SPAM_RULES)) expect(reason.length, rule).toBeGreaterThan(40);
  });

  spamassassin.it("an author's lesson with text coloured like its background fails, naming the rule and its points", () => {
    const lesson = authored.checks[1]!;
    expect(lesson.spam.status).toBe('scored');
    if (lesson.spam.status !== 'scored') return;
    expect(lesson.spam.score).toBeGreaterThan(0);
    expect(lesson.spam.findings.map((r) => r.name)).toContain('HTML_FONT_LOW_CONTRAST');
    expect(formatChecks([lesson])).toMatch(/^FAIL Lesson 1: .*\n.*\n\s+spam rule HTML_FONT_LOW_CONTRAST \(\+\d/m);
    // Scored in one SpamAssassin run with the confirmation, which stays clean: each result is its own message's.
    expect(authored.checks[0]!.spam).toMatchObject({ status: 'scored', findings: [] });
  });

  spamassassin.it(
    "`course check` runs the same checks on an author's course: exit 1, the rule named next to its lesson",
    async () => {
      const out = collector();
      const code = await main(['check', '--course', authored.dir], { out, err: collector(), env: {} });
      const printed = out.text();
      expect(code).toBe(1);
      expect(printed).toMatch(/Deliverability of an-authors-course:/);
      expect(printed).toMatch(/^FAIL Lesson 1: .*\n.*\n\s+spam rule HTML_FONT_LOW_CONTRAST/m);
      expect(printed).toMatch(/overflow-wrap/);
    },
    120_000,
  );

  it('answers skipped, with the reason, when the spamassassin command is missing', async () => {
    const result = await spamScore(Buffer.from('Subject: x\r\n\r\nx\r\n'), { command: 'spamassassin-not-installed' });
    expect(result).toEqual({ status: 'skipped', reason: expect.stringContaining('not installed') as string });
  });

  it('fails loudly, never as a pass, when the command runs but prints no score', async () => {
    await expect(spamScore(Buffer.from('Subject: x\r\n\r\nx\r\n'), { command: 'false' })).rejects.toThrow(
      /^false gave no score for message 1 \(exit 1\)/,
    );
  });

  it('reads the score, the rules and their descriptions from the -t report', () => {
    const report = [
      'X-Spam-Score: 0.7',
      'X-Spam-Tests: HTML_FONT_LOW_CONTRAST=0.7,HTML_MESSAGE=0.001,',
      '\tNO_RECEIVED=-0.001',
      '',
      'body',
      'Content analysis details:   (0.7 points, 5.0 required)',
      '',
      ' pts rule name              description',
      '---- ---------------------- --------------------------------------------------',
      '-0.0 NO_RECEIVED            Informational: message has no Received headers',
      ' 0.7 HTML_FONT_LOW_CONTRAST BODY: HTML font color similar or identical to',
      '                            background',
      '',
    ].join('\n');
    expect(parseSpamReport(report)).toEqual({
      score: 0.7,
      rules: [
        { name: 'HTML_FONT_LOW_CONTRAST', score: 0.7, description: 'BODY: HTML font color similar or identical to background' },
        { name: 'HTML_MESSAGE', score: 0.001, description: '' },
        { name: 'NO_RECEIVED', score: -0.001, description: 'Informational: message has no Received headers' },
      ],
    });
  });
});

describe('client support against caniemail (Gmail, Outlook, Apple Mail, Yahoo)', () => {
  it('no email uses a feature those clients lack unless it is on the accepted list', () => {
    for (const check of shipped.checks) expect(check.clientSupport.findings, `${check.label}\n${formatChecks([check])}`).toEqual([]);
  });

  it('the accepted list is short, reasoned, and every entry is still used by some email', () => {
    expect(ACCEPTED_FEATURES.length).toBeLessThanOrEqual(8);
    const used = new Set(shipped.checks.flatMap((c) => c.clientSupport.accepted.map((f) => f.feature)));
    for (const { features, reason } of ACCEPTED_FEATURES) {
      expect(reason.length, features.join(', ')).toBeGreaterThan(40);
      expect(
        features.some((f) => used.has(f)),
        `${features.join(', ')} is accepted but no email uses it: drop it`,
      ).toBe(true);
    }
  });

  it('no email relies on overflow-wrap or word-wrap, which caniemail lists as supported by none of them', () => {
    for (const check of shipped.checks) {
      const features = [...check.clientSupport.findings, ...check.clientSupport.accepted].map((f) => f.feature);
      expect(features, check.label).not.toContain('overflow-wrap');
    }
  });

  it("an author's lesson asking for overflow-wrap gets a finding naming the feature and the clients", () => {
    const finding = authored.checks[1]!.clientSupport.findings.find((f) => f.feature === 'overflow-wrap');
    expect(finding?.clients).toEqual(
      expect.arrayContaining(['gmail.desktop-webmail', 'apple-mail.ios', 'outlook.windows', 'yahoo.desktop-webmail']),
    );
    expect(authored.checks[0]!.clientSupport.findings).toEqual([]);
  });

  it("accepts the white-space:pre-wrap course new writes on an article's code block, with its reason", () => {
    const result = lintClientSupport(
      '<!doctype html><html><body><pre style="margin:0 0 16px;white-space:pre-wrap;font-size:14px;"><code>  x = 1</code></pre></body></html>',
    );
    expect(result.findings).toEqual([]);
    expect(result.accepted.map((f) => f.feature)).toContain('white-space');
  });

  it('lints plain HTML too: a flex layout is flagged for Outlook on Windows', () => {
    const result = lintClientSupport('<!doctype html><html><body><div style="display:flex">x</div></body></html>');
    expect(result.findings.map((f) => f.feature).join(' ')).toMatch(/flex/);
  });
});
