// Deliverability checks over composed emails, for any course: Apache SpamAssassin's score (local rules
// only) and a client-support lint against caniemail's data. Each check takes one composed email and
// returns findings; the test, `npm run preview` and `course check` all call these same functions.
import { execFile, type ExecFileException } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doIUseEmail } from '@jsx-email/doiuse-email';
import { compileCourse } from '../email/compile.js';
import { defaultTemplatesDir, loadCourse, type Course } from '../email/manifest.js';
import { composeMessage, listIdFor } from '../email/mime.js';
import { renderConfirmation, renderLesson, type RenderedEmail } from '../email/personalise.js';

/** The sample recipient every checked email is addressed to (example.* domains: RFC 2606). */
export const SAMPLE_RECIPIENT = {
  name: 'Alex',
  email: 'reader@example.net',
  publicUrl: 'https://course.example.com',
} as const;

/** One email of a course as the product composes it for the sample recipient. */
export interface ComposedEmail {
  /** Stable short id: `confirmation` or `lesson-N` (1-based). */
  id: string;
  /** For people: `Confirmation (double opt-in)`, `Lesson 3: The Role of Botox…`. */
  label: string;
  /** Subject, preheader, HTML and text after personalisation. */
  rendered: RenderedEmail;
  /** The raw RFC 5322 message, exactly as it would go to SES SendRawEmail. */
  raw: Buffer;
}

/**
 * Every email of the course in `courseDir` (the confirmation first, then each lesson in order; the
 * shared layout and confirmation from `templatesDir`),
 * composed by the real path: compileCourse → renderConfirmation/renderLesson → composeMessage, with
 * the same headers the drip (core/drip/) and the signup (core/signup.ts) give them.
 * Throws the compiler's TemplateError or the manifest's ValidationError when the course is broken.
 */
export async function composeCourseEmails(
  courseDir: string,
  templatesDir: string = defaultTemplatesDir,
): Promise<{ course: Course; emails: ComposedEmail[] }> {
  const course = loadCourse(courseDir, templatesDir);
  const compiled = await compileCourse(course, courseDir, templatesDir);
  const from = { name: course.sender.name, address: course.sender.email };
  const to = SAMPLE_RECIPIENT.email;
  const confirmUrl = `${SAMPLE_RECIPIENT.publicUrl}/confirm?token=sample-confirm-token`;
  const unsubscribeUrl = `${SAMPLE_RECIPIENT.publicUrl}/unsubscribe?token=sample-unsubscribe-token`;
  const learnUrl = `${SAMPLE_RECIPIENT.publicUrl}/learn?token=sample-learn-token`;

  const confirmation = renderConfirmation(compiled, { confirmUrl });
  const emails: ComposedEmail[] = [
    {
      id: 'confirmation',
      label: 'Confirmation (double opt-in)',
      rendered: confirmation,
      raw: await composeMessage({ from, to, subject: confirmation.subject, html: confirmation.html, text: confirmation.text }),
    },
  ];
  const listId = listIdFor(course);
  for (const [i, lesson] of course.lessons.entries()) {
    const rendered = renderLesson(compiled, i, { name: SAMPLE_RECIPIENT.name, unsubscribeUrl, learnUrl });
    const raw = await composeMessage({
      from,
      to,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      unsubscribeUrl,
      listId,
    });
    emails.push({ id: `lesson-${i + 1}`, label: `Lesson ${i + 1}: ${lesson.title}`, rendered, raw });
  }
  return { course, emails };
}

// ---------------------------------------------------------------------------------------------
// SpamAssassin

/**
 * Rules that may fire with a positive score without failing the check, each with why. Keep it short:
 * a rule belongs here only when no change to the email can or should avoid it.
 */
export const ACCEPTED_SPAM_RULES: Readonly<Record<string, string>> = {
  HTML_MESSAGE:
    'Informational (0.001): the message has an HTML part, which every lesson must; SpamAssassin scores it so low that the total still reads 0.0.',
};

/** One SpamAssassin rule that fired; `score` in points (negative scores count for the message). */
export interface SpamRule {
  name: string;
  score: number;
  /** SpamAssassin's own one-line description, when its report gives one. */
  description: string;
  /** Why a positive-scoring rule is accepted (from ACCEPTED_SPAM_RULES); absent for a finding. */
  accepted?: string;
}

export type SpamResult =
  | {
      status: 'scored';
      /** The total in points, as SpamAssassin reports it (one decimal). */
      score: number;
      /** Every rule that fired, highest score first. */
      rules: SpamRule[];
      /** Rules with a positive score that are not accepted: the email fails the check when any is here. */
      findings: SpamRule[];
    }
  | { status: 'skipped'; reason: string };

/** The command the check runs, found on PATH (Debian's `spamassassin` package installs /usr/bin/spamassassin). */
export const SPAMASSASSIN = 'spamassassin';

let prefsFile: string | undefined;
/** An empty user_prefs file of our own, so SpamAssassin does not create ~/.spamassassin/user_prefs. */
function emptyPrefs(): string {
  if (prefsFile === undefined) {
    prefsFile = join(mkdtempSync(join(tmpdir(), 'sa-prefs-')), 'user_prefs');
    writeFileSync(prefsFile, '# empty: the check uses the site rules only\n');
  }
  return prefsFile;
}

function run(
  command: string,
  args: string[],
  input: Uint8Array,
): Promise<{ stdout: string; stderr: string; code: number | null; error?: ExecFileException }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: child.exitCode, ...(error ? { error } : {}) });
    });
    // A command that exits without reading its input (a stand-in in the tests, a broken install) closes
    // the pipe: EPIPE here is not a second failure, the callback above reports how the command ended.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(Buffer.from(input));
  });
}

/** Parse `-t` output: the X-Spam-Score/X-Spam-Tests headers we ask for, and the report's descriptions. */
export function parseSpamReport(output: string): { score: number; rules: SpamRule[] } {
  const head = output.slice(0, output.search(/\r?\n\r?\n/) + 1 || output.length).replace(/\r?\n[ \t]+/g, ' ');
  const score = /^X-Spam-Score: *(-?\d+(?:\.\d+)?)/m.exec(head)?.[1];
  const tests = /^X-Spam-Tests: *(.*)$/m.exec(head)?.[1];
  if (score === undefined || tests === undefined) throw new Error('SpamAssassin printed no X-Spam-Score/X-Spam-Tests header');
  const descriptions = new Map<string, string>();
  // Report lines: " 0.7 HTML_FONT_LOW_CONTRAST BODY: HTML font color similar or", continuation lines indented.
  const table = output.slice(output.indexOf('Content analysis details:'));
  let last: string | undefined;
  for (const line of table.split(/\r?\n/)) {
    const row = /^ *-?\d+(?:\.\d+)? +([A-Z0-9_]+) +(.*)$/.exec(line);
    if (row) {
      last = row[1]!;
      descriptions.set(last, row[2]!.trim());
    } else if (last && /^ {20,}\S/.test(line)) {
      descriptions.set(last, `${descriptions.get(last) ?? ''} ${line.trim()}`.trim());
    } else last = undefined;
  }
  const rules = tests
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t !== 'none')
    .map((t) => {
      const [name = '', value = '0'] = t.split('=');
      return { name, score: Number(value), description: descriptions.get(name) ?? '' };
    })
    .sort((a, b) => b.score - a.score);
  return { score: Number(score), rules };
}

// Each message in the mbox we feed SpamAssassin starts with this line, numbered; its output repeats it
// (the split in spamScores matches this exact form).
const MBOX_FROM = (i: number) => `From message-${i}@deliverability.invalid Thu Jan  1 00:00:00 1970`;

/** Messages as one mbox: LF line ends, body lines starting "From " quoted (mboxrd), a numbered From line each. */
function toMbox(raws: readonly Uint8Array[]): Buffer {
  const parts = raws.map(
    (raw, i) =>
      `${MBOX_FROM(i)}\n${Buffer.from(raw)
        .toString('utf8')
        .replace(/\r\n/g, '\n')
        .replace(/^(>*From )/gm, '>$1')}\n`,
  );
  return Buffer.from(parts.join(''), 'utf8');
}

/**
 * Score raw messages with Apache SpamAssassin (`spamassassin -L -t --mbox`, one process for all of
 * them: its start-up, ~1 s of CPU loading the rules, dominates): local tests only (no DNS
 * blocklists, no Razor/Pyzor), Bayes off so the result does not depend on what this machine learnt,
 * and our own empty user_prefs. Per message, in order: `score` is SpamAssassin's total in points;
 * `findings` are the rules with a positive score that ACCEPTED_SPAM_RULES does not list. When
 * `spamassassin` is not installed every result is `skipped` with the reason (callers decide whether
 * that is allowed: CI must fail). Rejects when SpamAssassin runs but prints no score for a message,
 * with the end of its stderr in the message.
 */
export async function spamScores(raws: readonly Uint8Array[], options: { command?: string } = {}): Promise<SpamResult[]> {
  if (raws.length === 0) return [];
  const command = options.command ?? SPAMASSASSIN;
  const args = [
    '-L', // local tests only
    '-t', // test mode: each message, then its report
    '--mbox',
    '-p',
    emptyPrefs(),
    '--cf=use_bayes 0',
    '--cf=add_header all Score _SCORE_',
    '--cf=add_header all Tests _TESTSSCORES(,)_',
  ];
  const result = await run(command, args, toMbox(raws));
  if (result.error?.code === 'ENOENT') {
    return raws.map(() => ({ status: 'skipped', reason: `${command} is not installed (Debian: apt-get install spamassassin)` }));
  }
  // SpamAssassin does not keep the mbox's order: find each message by the number in its From line.
  const outputs = new Map<number, string>();
  const chunks = result.stdout.split(/^From message-(\d+)@deliverability\.invalid .*\n/m);
  for (let k = 1; k + 1 < chunks.length; k += 2) outputs.set(Number(chunks[k]), chunks[k + 1]!);
  return raws.map((_, i): SpamResult => {
    let parsed: { score: number; rules: SpamRule[] };
    try {
      const output = outputs.get(i);
      if (output === undefined) throw new Error(`message ${i + 1} is missing from the output`);
      parsed = parseSpamReport(output);
    } catch (e: unknown) {
      const said = result.stderr.trim().split('\n').slice(-3).join(' / ');
      throw new Error(`${command} gave no score for message ${i + 1} (exit ${result.code ?? 'signal'})${said ? `: ${said}` : ''}`, {
        cause: result.error ?? e,
      });
    }
    const rules = parsed.rules.map((r) =>
      r.score > 0 && ACCEPTED_SPAM_RULES[r.name] ? { ...r, accepted: ACCEPTED_SPAM_RULES[r.name] } : r,
    );
    return { status: 'scored', score: parsed.score, rules, findings: rules.filter((r) => r.score > 0 && r.accepted === undefined) };
  });
}

/** One raw message's SpamResult (see spamScores). */
export async function spamScore(raw: Uint8Array, options: { command?: string } = {}): Promise<SpamResult> {
  const [result] = await spamScores([raw], options);
  return result!;
}

// ---------------------------------------------------------------------------------------------
// Client support (caniemail)

/**
 * The clients the lint checks, as @jsx-email/doiuse-email's globs: the four client families most readers use
 * (Gmail, Outlook, Apple Mail, Yahoo), every platform of each, as caniemail lists them.
 */
export const LINT_CLIENTS = ['gmail.*', 'outlook.*', 'apple-mail.*', 'yahoo.*'] as const;

/**
 * Features caniemail lists as unsupported somewhere in LINT_CLIENTS that the emails keep, grouped by
 * the one reason each group is harmless where it is ignored. `features` are caniemail titles, as the
 * lint prints them. An author's own template that uses anything else gets a finding.
 */
export const ACCEPTED_FEATURES: readonly { features: readonly string[]; reason: string }[] = [
  {
    features: [
      'Type selector',
      'Class selector',
      'ID selector',
      'Descendant combinator',
      'Child combinator',
      'Chaining selectors',
      'Attribute selector',
    ],
    reason:
      "Only Gmail's mobile web (which drops <style>) and Outlook on Windows lack them; the <style> block holds only enhancements (mjml's resets, phone sizes, dark mode), every visible style is inlined by mjml.",
  },
  {
    features: ['@media'],
    reason:
      "mjml's responsive columns, the phone heading size and dark mode; where ignored, the inline desktop layout and the light colours apply.",
  },
  {
    features: ['<body> element', 'word-spacing', 'outline', 'aria-label attribute', 'role attribute', 'target attribute'],
    reason:
      "mjml's own skeleton: body styles repeated on div[role=article] for clients that replace <body>, resets (word-spacing:normal, outline:none), accessibility attributes and the button's target=_blank; each is a no-op where ignored.",
  },
  {
    features: ['word-break', 'white-space'],
    reason:
      "Long lines kept inside a phone screen: mjml's break-word on text cells (long words and URLs) and the white-space:pre-wrap course new writes on an article's code block. Where ignored (Yahoo and Windows Mail for the first, Outlook on Windows for the second) a very long link or code line scrolls sideways, the code still exactly as written: no property they support does better (overflow-wrap and word-wrap are supported nowhere).",
  },
  {
    features: ['border-radius', 'overflow'],
    reason:
      "The card's rounded corners (mjml clips them with overflow:hidden); square in Outlook on Windows. overflow also helps hide the preheader where display:none is dropped.",
  },
  {
    features: ['display:none'],
    reason: "Hides the preheader; Gmail's mobile web ignores it, where max-height:0 with overflow:hidden hides it instead.",
  },
];

const acceptedReason = new Map(ACCEPTED_FEATURES.flatMap(({ features, reason }) => features.map((f) => [f, reason] as const)));

/** One caniemail feature the email uses that some LINT_CLIENTS do not support. */
export interface ClientSupportFinding {
  /** caniemail's title, e.g. `overflow-wrap`, `@media`. */
  feature: string;
  /** doiuse-email's client names, e.g. `outlook.windows`. */
  clients: string[];
  /** Why it is accepted (from ACCEPTED_FEATURES); absent for a finding the author must act on. */
  accepted?: string;
}

export interface ClientSupportResult {
  /** Unsupported somewhere and not accepted: the email fails the check when any is here. */
  findings: ClientSupportFinding[];
  /** Unsupported somewhere but listed in ACCEPTED_FEATURES. */
  accepted: ClientSupportFinding[];
  /** How many partial-support notes caniemail has about the email (reported, never failing). */
  partial: number;
}

const UNSUPPORTED = /^`(.+)` is not supported by `(.+)`$/;

/**
 * Lint an email's HTML (and its <style> and inline CSS) against caniemail's data for LINT_CLIENTS,
 * with @jsx-email/doiuse-email. A feature unsupported in any of them is a finding unless
 * ACCEPTED_FEATURES lists it; partial support is only counted. Pure and synchronous (~40 ms a lesson).
 */
export function lintClientSupport(html: string): ClientSupportResult {
  const result = doIUseEmail(html, { emailClients: [...LINT_CLIENTS] });
  const byFeature = new Map<string, Set<string>>();
  for (const message of result.success ? [] : result.errors) {
    const [, feature = message, client = ''] = UNSUPPORTED.exec(message) ?? [];
    const clients = byFeature.get(feature) ?? new Set<string>();
    if (client) clients.add(client);
    byFeature.set(feature, clients);
  }
  const all = [...byFeature].map(([feature, clients]): ClientSupportFinding => {
    const reason = acceptedReason.get(feature);
    return { feature, clients: [...clients].sort(), ...(reason ? { accepted: reason } : {}) };
  });
  return { findings: all.filter((f) => !f.accepted), accepted: all.filter((f) => f.accepted), partial: result.warnings.length };
}

// ---------------------------------------------------------------------------------------------
// Both checks over a course

export interface EmailCheck {
  id: string;
  label: string;
  spam: SpamResult;
  clientSupport: ClientSupportResult;
}

/** True when the email passes: no spam finding (or spam skipped) and no client-support finding. */
export function passes(check: EmailCheck): boolean {
  return (check.spam.status === 'skipped' || check.spam.findings.length === 0) && check.clientSupport.findings.length === 0;
}

/** Run both checks over composed emails (one SpamAssassin process for all); results in the emails' order. */
export async function checkEmails(emails: readonly ComposedEmail[], options: { command?: string } = {}): Promise<EmailCheck[]> {
  const spam = await spamScores(
    emails.map((e) => e.raw),
    options,
  );
  return emails.map((email, i) => ({
    id: email.id,
    label: email.label,
    spam: spam[i]!,
    clientSupport: lintClientSupport(email.rendered.html),
  }));
}

/** A short plain-text report, one block per email, for the CLI and the test's failure messages. */
export function formatChecks(checks: readonly EmailCheck[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    const spam =
      c.spam.status === 'skipped'
        ? `spam: skipped (${c.spam.reason})`
        : `spam: ${c.spam.score.toFixed(1)} points${c.spam.rules.length ? ` (${c.spam.rules.map((r) => `${r.name}=${r.score}`).join(', ')})` : ''}`;
    lines.push(`${passes(c) ? 'ok  ' : 'FAIL'} ${c.label}`, `     ${spam}`);
    if (c.spam.status === 'scored') {
      for (const r of c.spam.findings) lines.push(`     spam rule ${r.name} (+${r.score}): ${r.description}`);
    }
    for (const f of c.clientSupport.findings) lines.push(`     unsupported: ${f.feature} in ${f.clients.join(', ')}`);
    lines.push(
      `     client support: ${c.clientSupport.findings.length} unsupported, ${c.clientSupport.accepted.length} accepted (ACCEPTED_FEATURES), ${c.clientSupport.partial} partial-support notes`,
    );
  }
  return lines.join('\n');
}
