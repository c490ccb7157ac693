// What the operator sees of the learner's pace and votes, through the real `course` entry on DynamoDB
// Local: `show` says round, pause, cadence, send hour, weekday and votes in words; `stats` counts
// paused learners and the votes per lesson beside sent, delivered and unsubscribed after; `export`
// carries the new fields in both formats. The fields are seeded as the learner-facing code stores them
// (functions/core/model.ts).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../functions/adapters/table.js';
import { CSV_COLUMNS } from '../../../functions/cli/export.js';
import type { Subscriber } from '../../../functions/core/model.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { runCli } from '../../support/cli.js';
import { compileShippedCourse } from '../../support/course.js';
import { COURSE, seedSubscriber } from '../../support/feedback-fixtures.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

let stack: TestStack;
let compiled: CompiledCourse;
let dir: string;
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
  dir = await mkdtemp(join(tmpdir(), 'course-pace-'));
});
afterAll(async () => {
  await stack.stop();
});

const run = (args: string[], table: string) => runCli(stack, { table, dataDir: join(dir, 'data'), compiled }, args);

/** Sets the learner's pace and vote fields on a seeded subscriber, as the learner's controls store them. */
async function setFields(table: string, id: string, fields: Partial<Subscriber>): Promise<void> {
  const names = Object.keys(fields);
  await stack.doc.send(
    new UpdateCommand({
      TableName: table,
      Key: keys.subscriber(id),
      UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, fields[n as keyof Subscriber]])),
    }),
  );
}

/** The paused learner's own fields, as seeded and as `course export --format jsonl` must give them back. */
const PAUSED_LEARNER: Partial<Subscriber> = {
  round: 2,
  pausedAt: '2026-03-01T09:00:00.000Z',
  pausedUntil: '2026-03-15T08:00:00.000Z',
  cadenceDays: 3,
  sendHour: '07:30',
  weekday: 1,
  votes: { '0': 'yes', '1': 'no', '2': 'yes' },
};

/** A table with a paused learner (round 2, their own pace, votes), a plain active one and one who left. */
async function seedLearners(table: string) {
  const paused = await seedSubscriber(stack.doc, table, 'paused@example.com', { nextLesson: 3 });
  await setFields(table, paused.id, PAUSED_LEARNER);
  const plain = await seedSubscriber(stack.doc, table, 'plain@example.com', { nextLesson: 2 });
  await setFields(table, plain.id, { votes: { '0': 'yes' } });
  const left = await seedSubscriber(stack.doc, table, 'left@example.com', { status: 'unsubscribed', nextLesson: 2 });
  await setFields(table, left.id, { votes: { '1': 'no' } });
  await stack.doc.send(
    new PutCommand({
      TableName: table,
      Item: { ...keys.lessonStats(COURSE, 1), course: COURSE, lesson: 2, sent: 3, delivered: 3, unsubscribed: 1 },
    }),
  );
  return { paused, plain, left };
}

describe('course show', () => {
  it('says the pause (since, until), round, cadence, send hour, weekday and votes in words', async () => {
    const table = await stack.newTable();
    await seedLearners(table);
    const { code, out } = await run(['show', 'paused@example.com'], table);
    expect(code).toBe(0);
    const lessons = compiled.lessons.length;
    expect(out).toContain('Pace and votes');
    expect(out).toContain(`status: active, round 2, lessons sent: 3 of ${lessons}`);
    expect(out).toContain('paused: since 2026-03-01T09:00:00.000Z, until 2026-03-15T08:00:00.000Z');
    expect(out).toContain('cadence: every 3 days (their choice)');
    expect(out).toContain('send hour: 07:30 (their choice)');
    expect(out).toContain('weekday: Monday (their choice)');
    expect(out).toContain('votes: lesson 1 yes, lesson 2 no, lesson 3 yes');
  });

  it("says the course's own pace, round 1 and no votes for a learner who chose nothing", async () => {
    const table = await stack.newTable();
    await seedSubscriber(stack.doc, table, 'new@example.com', { nextLesson: 0 });
    const { out } = await run(['show', 'new@example.com'], table);
    expect(out).toContain('round 1');
    expect(out).toContain('paused: no');
    expect(out).toContain(`cadence: the course's: every ${compiled.course.cadenceDays} days`);
    expect(out).toContain(`send hour: the course's: ${compiled.course.sendHour}`);
    expect(out).toContain('weekday: none fixed');
    expect(out).toContain('votes: none');
  });
});

describe('course stats', () => {
  it('counts paused learners among the active, and shows each lesson’s yes and no beside sent, delivered, unsubscribed after', async () => {
    const table = await stack.newTable();
    await seedLearners(table);
    const { code, out } = await run(['stats'], table);
    expect(code).toBe(0);
    expect(out).toMatch(/ {2}active +2 /);
    expect(out).toMatch(/ {4}paused +1 /);
    expect(out).toMatch(/useful: yes +no /);
    // Lesson 1: two yes (paused, plain); lesson 2: sent 3, delivered 3, 1 left after it, two no (paused, left); lesson 3: one yes.
    expect(out).toMatch(/ {2}1 +\S.*? +0 +0 +0 +0 +0 +2 +0 /);
    expect(out).toMatch(/ {2}2 +\S.*? +3 +3 +0 +0 +1 +0 +2 /);
    expect(out).toMatch(/ {2}3 +\S.*? +0 +0 +0 +0 +0 +1 +0 /);
  });
});

describe('course export', () => {
  it('CSV carries round, pause, cadence, send hour, weekday and the votes as yes/no lesson lists', async () => {
    const table = await stack.newTable();
    const { paused, plain } = await seedLearners(table);
    const { code, out } = await run(['export'], table);
    expect(code).toBe(0);
    const [header, ...rows] = out.trim().split('\n');
    expect(header!.split(',')).toEqual([...CSV_COLUMNS]);
    for (const c of ['round', 'paused_at', 'paused_until', 'cadence_days', 'send_hour', 'weekday', 'votes_yes', 'votes_no'])
      expect(CSV_COLUMNS).toContain(c);
    const cells = (id: string) => {
      const row = rows.find((r) => r.startsWith(`${id},`))!;
      const values = row.split(',');
      return Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, values[i]]));
    };
    expect(cells(paused.id)).toMatchObject({
      round: '2',
      paused_at: '2026-03-01T09:00:00.000Z',
      paused_until: '2026-03-15T08:00:00.000Z',
      cadence_days: '3',
      send_hour: '07:30',
      weekday: '1',
      votes_yes: '1 3',
      votes_no: '2',
    });
    expect(cells(plain.id)).toMatchObject({
      round: '1',
      paused_at: '',
      cadence_days: '',
      send_hour: '',
      weekday: '',
      votes_yes: '1',
      votes_no: '',
    });
  });

  it('JSON lines carry the same fields, the votes as stored (lesson index → yes/no), round 1 when never restarted', async () => {
    const table = await stack.newTable();
    const { paused, plain } = await seedLearners(table);
    const { out } = await run(['export', '--format', 'jsonl'], table);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.id === paused.id)).toMatchObject(PAUSED_LEARNER);
    expect(lines.find((l) => l.id === plain.id)).toMatchObject({ round: 1, votes: { '0': 'yes' } });
  });
});
