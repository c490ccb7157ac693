// The operator's whole-table reads split into parallel Scan segments (`--segments`): `course stats`
// and `course held` answer exactly as with one sequential Scan, `course export` writes every
// subscriber once, a bad count is refused before the table is touched, and one segment's failure
// stops the read with a message naming it. DynamoDB Local, real SDK clients.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../functions/adapters/table.js';
import { createOperatorStore } from '../../../functions/cli/operator-store.js';
import { collectStats } from '../../../functions/cli/stats.js';
import { runExport } from '../../../functions/cli/export.js';
import { DependencyError } from '../../../functions/core/errors.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { compileShippedCourse } from '../../support/course.js';
import { runCli } from '../../support/cli.js';
import { slowReader } from '../../support/collector.js';
import { COURSE } from '../../support/feedback-fixtures.js';

let stack: TestStack;
let compiled: CompiledCourse;
let table: string;
const SIZE = 240;
const OTHER = 'another-course';
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
  table = await stack.newTable();
  await seedMixedList(table);
});
afterAll(async () => {
  await stack.stop();
});

const run = (args: string[], t = table) =>
  runCli(stack, { table: t, dataDir: join(tmpdir(), 'course-cli-segments'), compiled, env: { PUBLIC_URL: 'http://localhost:3000' } }, args);

/**
 * SIZE subscribers over two courses with every status, some held (several with the same hold time,
 * so the order's tie-break shows), some paused, with votes; each with its address lock, which the
 * subscriber Scan's filter leaves out.
 */
async function seedMixedList(t: string) {
  const statuses = ['active', 'active', 'active', 'pending', 'completed', 'unsubscribed', 'bounced', 'complained'] as const;
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < SIZE; i++) {
    const id = `seg${String(i).padStart(4, '0')}`;
    const course = i % 5 === 0 ? OTHER : COURSE;
    const email = `reader-${i}@example.com`;
    const status = statuses[i % statuses.length]!;
    items.push({
      ...keys.subscriber(id),
      id,
      course,
      email,
      timezone: 'Europe/London',
      status,
      nextLesson: i % 8,
      createdAt: '2026-01-01T10:00:00.000Z',
      ...(status === 'pending' ? {} : { confirmedAt: '2026-01-01T10:05:00.000Z' }),
      ...(status === 'active' && i % 7 === 0 ? { heldAt: `2026-01-0${1 + (i % 3)}T10:00:00.000Z`, heldReason: `refused ${i}` } : {}),
      ...(status === 'active' && i % 11 === 0 ? { pausedAt: '2026-01-03T10:00:00.000Z' } : {}),
      ...(i % 3 === 0 ? { votes: { 0: 'yes', [String(i % 8)]: i % 2 === 0 ? 'yes' : 'no' } } : {}),
    });
    items.push({ ...keys.address(course, email), id, course, email });
  }
  for (let i = 0; i < items.length; i += 25) {
    await stack.doc.send(
      new BatchWriteCommand({ RequestItems: { [t]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
}

async function allItems(t: string): Promise<Record<string, unknown>[]> {
  return (await stack.doc.send(new ScanCommand({ TableName: t, ConsistentRead: true }))).Items ?? [];
}

describe('parallel Scan segments', () => {
  it('DynamoDB Local spreads this list over several of 4 segments (so the tests below interleave pages)', async () => {
    const perSegment = await Promise.all(
      [0, 1, 2, 3].map(
        async (Segment) => (await stack.doc.send(new ScanCommand({ TableName: table, Segment, TotalSegments: 4 }))).Items?.length ?? 0,
      ),
    );
    expect(perSegment.reduce((a, b) => a + b, 0)).toBe(2 * SIZE);
    expect(perSegment.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it('course stats prints the same with 1, 4 and 32 segments, and collectStats answers the same figures', async () => {
    const one = await run(['stats', '--segments', '1'], table);
    const four = await run(['stats', '--segments', '4'], table);
    const many = await run(['stats', '--segments', '32'], table);
    const byDefault = await run(['stats'], table);

    expect(one.code).toBe(0);
    expect(one.out).toMatch(/signed up\s+192 /);
    expect(one.out).toMatch(/held\s+\d+ /);
    expect(four).toEqual(one);
    expect(many).toEqual(one);
    expect(byDefault).toEqual(one);
    const store = createOperatorStore({ doc: stack.doc, tableName: table });
    expect(await collectStats(store, [compiled.course], 4)).toEqual(await collectStats(store, [compiled.course], 1));
  });

  it('course export with 4 segments writes every subscriber exactly once, in CSV and in JSON lines', async () => {
    const csv = await run(['export', '--segments', '4'], table);
    expect(csv.code).toBe(0);
    const rows = csv.out.trim().split('\n').slice(1);
    const csvIds = rows.map((r) => r.split(',')[0]);
    expect(csvIds).toHaveLength(SIZE);
    expect(new Set(csvIds).size).toBe(SIZE);

    // Small pages from 4 segments, through a slow reader: many pages interleave, none is lost or doubled.
    const slow = slowReader();
    const { chunks } = slow;
    const n = await runExport({
      store: createOperatorStore({ doc: stack.doc, tableName: table }),
      out: slow,
      format: 'jsonl',
      pageSize: 10,
      segments: 4,
    });
    const ids = chunks
      .join('')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(n).toBe(SIZE);
    expect(chunks.length).toBeGreaterThan(8);
    expect([...ids].sort()).toEqual(Array.from({ length: SIZE }, (_, i) => `seg${String(i).padStart(4, '0')}`));
  });

  it('course held lists the same subscribers in the same order with 1 and 4 segments', async () => {
    const one = await run(['held', '--course', COURSE, '--segments', '1'], table);
    const four = await run(['held', '--course', COURSE, '--segments', '4'], table);

    expect(one.code).toBe(0);
    expect(one.out).toMatch(/Held in botox-permanent-numbness: \d+ subscribers/);
    expect(four).toEqual(one);
    const store = createOperatorStore({ doc: stack.doc, tableName: table });
    const held = await store.heldSubscribers(COURSE, 4);
    expect(held.map((s) => s.id)).toEqual((await store.heldSubscribers(COURSE, 1)).map((s) => s.id));
    expect(held.length).toBeGreaterThan(3);
  });

  it.each([['0'], ['33'], ['-1'], ['four'], ['4.0'], ['0x4'], ['1e1'], [' 4'], ['']])(
    '--segments "%s" is refused with the usage, exit code 2, writing nothing',
    async (value) => {
      const before = await allItems(table);
      for (const command of ['stats', 'export', 'held']) {
        const { code, out, err } = await run([command, `--segments=${value}`], table);
        expect(code).toBe(2);
        expect(out).toBe('');
        expect(err).toContain(`course: --segments must be a whole number from 1 to 32, not "${value}"`);
        expect(err).toContain('Usage: course <command>');
      }
      expect(await allItems(table)).toEqual(before);
    },
  );

  it('a segment that cannot be read stops the export with an error naming it, and the other segments stop too', async () => {
    expect.assertions(3);
    const sent: number[] = [];
    // The real client, refusing segment 3's second page as a throttled or dropped request would.
    const failing = {
      send: (command: ScanCommand, options?: { abortSignal?: AbortSignal }) => {
        const segment = command.input.Segment ?? 0;
        sent.push(segment);
        if (segment === 2 && command.input.ExclusiveStartKey !== undefined) return Promise.reject(new Error('simulated network failure'));
        return stack.doc.send(command, options);
      },
    } as unknown as DynamoDBDocumentClient;
    const out = new Writable({ write: (_c, _e, cb) => cb() });

    const exported = runExport({
      store: createOperatorStore({ doc: failing, tableName: table }),
      out,
      format: 'csv',
      pageSize: 5,
      segments: 4,
    });

    await expect(exported).rejects.toThrow(DependencyError);
    await expect(exported).rejects.toThrow('DynamoDB subscriber scan (segment 3 of 4) failed');
    // Stopped early: far fewer requests than reading the whole table in pages of 5 takes.
    expect(sent.length).toBeLessThan((2 * SIZE) / 5);
  });
});
