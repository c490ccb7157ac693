// `course stats`: how the course is doing. A funnel from signup to completion (counted from the
// subscribers, paused learners among the active) and a per-lesson table from the counters the
// feedback path keeps, with the learners' votes (counted from their own answers), with bar charts.
// Words as on the dashboard: "bounced (permanent)" counts permanent bounces (the address is
// stopped), "soft bounces" transient ones; "opens" are readers' opens only, Apple Mail Privacy
// Protection's prefetches are "proxy opens", shown apart (they happen whether the email is read or not).
import type { Writable } from 'node:stream';
import type { Course } from '../email/manifest.js';
import type { Subscriber, SubscriberStatus } from '../core/model.js';
import type { OperatorStore } from './operator-store.js';
import { bar, table, truncate } from './terminal.js';

export type CourseInfo = Pick<Course, 'slug' | 'title' | 'lessons'>;

export interface Funnel {
  signedUp: number;
  confirmed: number;
  pending: number;
  active: number;
  /** Active, but out of the due index since SES refused their lesson (`course held`). */
  held: number;
  /** Active, and paused by the learner (nothing is sent until they resume or the pause ends). */
  paused: number;
  completed: number;
  unsubscribed: number;
  bounced: number;
  complained: number;
}

export interface LessonRow {
  lesson: number;
  title: string;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  /** Readers' not-spam reports (mail rescued from the spam folder): not complaints. */
  notSpam: number;
  /** Opens by a reader's mail client (SES Open events, proxy opens left out). */
  opened: number;
  /** Opens made by Apple Mail Privacy Protection's prefetch (core/ses-notification.ts isProxyOpen): not reads. */
  proxyOpened: number;
  /** Sends SES refused after accepting them (Reject events): never delivered. */
  rejected: number;
  clicked: number;
  unsubscribed: number;
  /** Learners whose answer to "Was this lesson useful?" is yes, and no (each learner's standing vote). */
  votedYes: number;
  votedNo: number;
}

export interface CourseStats {
  course: string;
  title?: string;
  funnel: Funnel;
  lessons: LessonRow[];
}

const emptyFunnel = (): Funnel => ({
  signedUp: 0,
  confirmed: 0,
  pending: 0,
  active: 0,
  held: 0,
  paused: 0,
  completed: 0,
  unsubscribed: 0,
  bounced: 0,
  complained: 0,
});

/** Share of signups that confirmed (0 when nobody signed up). */
export function confirmationRate(f: Funnel): number {
  return f.signedUp === 0 ? 0 : f.confirmed / f.signedUp;
}

/**
 * Read the funnel (one pass over the subscribers, page by page, as `segments` parallel Scan segments:
 * default 1, 1..32; the counts do not depend on the order pages arrive in) and each course's lesson
 * counters. Answers one CourseStats per course, sorted by slug; throws the store's DependencyError
 * when a page or counter cannot be read.
 */
export async function collectStats(store: OperatorStore, known: readonly CourseInfo[] = [], segments?: number): Promise<CourseStats[]> {
  const funnels = new Map<string, Funnel>(known.map((c) => [c.slug, emptyFunnel()]));
  // Votes per course, then per 0-based lesson: read from each learner's own answers (an erased person's go with them).
  const votes = new Map<string, Map<number, { yes: number; no: number }>>();
  for await (const page of store.subscriberPages({ segments })) {
    for (const s of page) {
      let f = funnels.get(s.course);
      if (!f) funnels.set(s.course, (f = emptyFunnel()));
      f.signedUp++;
      if (s.confirmedAt !== undefined) f.confirmed++;
      const status: SubscriberStatus = s.status;
      if (status in f) f[status]++;
      if (status === 'active' && s.heldAt !== undefined) f.held++;
      if (status === 'active' && s.pausedAt !== undefined) f.paused++;
      tallyVotes(votes, s);
    }
  }
  const result: CourseStats[] = [];
  for (const [course, funnel] of [...funnels].sort(([a], [b]) => a.localeCompare(b))) {
    const info = known.find((c) => c.slug === course);
    const counters = await store.lessonCounters(course);
    const byLesson = new Map(counters.map((i) => [Number(String(i.sk).replace('LESSON#', '')), i]));
    const count = Math.max(info?.lessons.length ?? 0, ...byLesson.keys(), ...[...(votes.get(course)?.keys() ?? [])].map((i) => i + 1));
    const num = (v: unknown) => (typeof v === 'number' ? v : 0);
    const lessons: LessonRow[] = Array.from({ length: count }, (_, i) => {
      const c = byLesson.get(i + 1) ?? {};
      return {
        lesson: i + 1,
        title: info?.lessons[i]?.title ?? '',
        sent: num(c.sent),
        delivered: num(c.delivered),
        bounced: num(c.bounced),
        complained: num(c.complained),
        notSpam: num(c.notSpam),
        opened: num(c.opened),
        proxyOpened: num(c.proxyOpened),
        rejected: num(c.rejected),
        clicked: num(c.clicked),
        unsubscribed: num(c.unsubscribed),
        votedYes: votes.get(course)?.get(i)?.yes ?? 0,
        votedNo: votes.get(course)?.get(i)?.no ?? 0,
      };
    });
    result.push({ course, ...(info ? { title: info.title } : {}), funnel, lessons });
  }
  return result;
}

/** One learner's votes added to the course's tally (lesson index → yes/no; anything else is left out). */
function tallyVotes(votes: Map<string, Map<number, { yes: number; no: number }>>, s: Pick<Subscriber, 'course' | 'votes'>): void {
  for (const [index, vote] of Object.entries(s.votes ?? {})) {
    const lesson = Number(index);
    if (!Number.isInteger(lesson) || lesson < 0 || (vote !== 'yes' && vote !== 'no')) continue;
    let course = votes.get(s.course);
    if (!course) votes.set(s.course, (course = new Map<number, { yes: number; no: number }>()));
    const counts = course.get(lesson) ?? { yes: 0, no: 0 };
    counts[vote]++;
    course.set(lesson, counts);
  }
}

export function formatStats(all: readonly CourseStats[]): string {
  if (all.length === 0) return 'No subscribers yet.\n';
  const parts: string[] = [];
  for (const s of all) {
    const f = s.funnel;
    const stages: [string, number][] = [
      ['signed up', f.signedUp],
      ['confirmed', f.confirmed],
      ['active', f.active],
      ['  held', f.held],
      ['  paused', f.paused],
      ['completed', f.completed],
      ['pending', f.pending],
      ['unsubscribed', f.unsubscribed],
      // Stopped for bouncing: a permanent bounce, or three soft bounces in a row.
      ['bounced (address stopped)', f.bounced],
      ['complained', f.complained],
    ];
    const funnelRows = stages.map(([name, n]) => [`  ${name}`, n, bar(n, f.signedUp)]);
    parts.push(
      `${s.title ? `${s.title} (${s.course})` : s.course}\n\nFunnel\n${table(funnelRows)}\n  confirmation rate: ${(confirmationRate(f) * 100).toFixed(1)}% (${f.confirmed} of ${f.signedUp})\n`,
    );
    const maxSent = Math.max(0, ...s.lessons.map((l) => l.sent));
    const lessonRows: (string | number)[][] = [
      [
        '  #',
        'lesson',
        'sent',
        'delivered',
        'opens',
        'clicks',
        'unsubs after',
        'useful: yes',
        'no',
        'bounced (permanent)',
        'complaints',
        'not spam',
        '',
      ],
      ...s.lessons.map((l) => [
        `  ${l.lesson}`,
        truncate(l.title, 34),
        l.sent,
        l.delivered,
        l.opened,
        l.clicked,
        l.unsubscribed,
        l.votedYes,
        l.votedNo,
        l.bounced,
        l.complained,
        l.notSpam,
        bar(l.sent, maxSent, 20),
      ]),
    ];
    parts.push(`Per lesson\n${table(lessonRows)}\n${apartRows(s.lessons)}`);
  }
  return parts.join('\n');
}

/**
 * The counts kept out of the table's headline columns, each on its own line with what it means:
 * proxy opens (not reads) and sends SES rejected (counted as sent, never delivered).
 */
function apartRows(lessons: readonly LessonRow[]): string {
  const line = (label: string, pick: (l: LessonRow) => number, note: string) => {
    const total = lessons.reduce((n, l) => n + pick(l), 0);
    const by = lessons.filter((l) => pick(l) > 0).map((l) => `lesson ${l.lesson}: ${pick(l)}`);
    return `  ${label}: ${total}${by.length > 0 ? ` (${by.join(', ')})` : ''}; ${note}\n`;
  };
  return (
    line('proxy opens', (l) => l.proxyOpened, 'Apple Mail Privacy Protection loads every delivered email, read or not: not in "opens"') +
    line('rejected by SES', (l) => l.rejected, 'accepted, then refused by SES: never delivered (counted in "sent")')
  );
}

/**
 * Stats of every course (the known ones, and any other slug the table holds), or of `only` (a slug),
 * written to `out`; `segments` (1..32, default 1) splits the subscribers' Scan (collectStats).
 */
export async function runStats(deps: {
  store: OperatorStore;
  out: Writable;
  courses?: readonly CourseInfo[];
  only?: string;
  segments?: number;
}): Promise<CourseStats[]> {
  const all = await collectStats(
    deps.store,
    deps.only === undefined ? deps.courses : deps.courses?.filter((c) => c.slug === deps.only),
    deps.segments,
  );
  const stats = deps.only === undefined ? all : all.filter((s) => s.course === deps.only);
  deps.out.write(formatStats(stats));
  return stats;
}
