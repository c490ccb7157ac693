// The operator CLI with several courses: commands that act on one course need --course (a known
// slug) and say so before touching any table; export --course writes that course's subscribers only.
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../../functions/cli/main.js';
import { runExport } from '../../../functions/cli/export.js';
import type { OperatorStore, StoredSubscriber } from '../../../functions/cli/operator-store.js';
import { SHIPPED_COURSE_DIR, shippedCourse } from '../../support/course.js';
import { collector } from '../../support/collector.js';

const botox = shippedCourse();
const walking = { ...botox, slug: 'walking', title: 'Walking' };
// An endpoint nothing listens on: a command that reached the table would fail with a connection error, not a usage error.
const io = (): CliIo & { out: ReturnType<typeof collector>; err: ReturnType<typeof collector> } => ({
  out: collector(),
  err: collector(),
  env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' },
  loadCourses: () => [
    { dir: SHIPPED_COURSE_DIR, course: botox },
    { dir: SHIPPED_COURSE_DIR, course: walking },
  ],
});

describe('the CLI with several courses', () => {
  it.each([
    [
      ['import', 'list.csv', '--consent', 'a fair'],
      'import needs --course <slug> when there are several courses (botox-permanent-numbness, walking)',
    ],
    [['send-test', '--to', 'me@example.com', '--lesson', '1'], 'send-test needs --course <slug> when there are several courses'],
    [['requeue', 'a@example.com'], 'requeue needs --course <slug> when there are several courses'],
    [
      ['send-test', '--to', 'me@example.com', '--lesson', '1', '--course', 'cooking'],
      'no course "cooking" (the courses are: botox-permanent-numbness, walking)',
    ],
  ])('%j is a usage error naming the courses (exit 2)', async (argv, message) => {
    const x = io();
    expect(await main(argv, x)).toBe(2);
    expect(x.err.text()).toContain(message);
  });

  it("export --course writes only that course's subscribers", async () => {
    const person = (id: string, course: string) =>
      ({
        id,
        course,
        email: `${id}@example.com`,
        timezone: 'UTC',
        status: 'active',
        nextLesson: 1,
        consent: { at: '2026-01-01T00:00:00.000Z', ip: '1', userAgent: 'u', page: 'p' },
        createdAt: '2026-01-01T00:00:00.000Z',
      }) as StoredSubscriber;
    const store = {
      subscriberPages: () => [[person('a', 'walking'), person('b', 'botox-permanent-numbness')], [person('c', 'walking')]].values(),
    } as unknown as OperatorStore;
    const out = collector();
    expect(await runExport({ store, out, format: 'jsonl', course: 'walking' })).toBe(2);
    expect(
      out
        .text()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(['a', 'c']);
  });

  it('export writes nothing, not even the CSV header, when the table cannot be read; an empty table gets the header alone', async () => {
    const failing = {
      subscriberPages: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('DynamoDB subscriber scan failed: connect ECONNREFUSED')) }),
      }),
    } as unknown as OperatorStore;
    const out = collector();
    await expect(runExport({ store: failing, out, format: 'csv' })).rejects.toThrow(/ECONNREFUSED/);
    expect(out.text()).toBe('');
    const empty = { subscriberPages: () => [].values() } as unknown as OperatorStore;
    const header = collector();
    expect(await runExport({ store: empty, out: header, format: 'csv' })).toBe(0);
    expect(header.text().split('\n').filter(Boolean)).toHaveLength(1);
    expect(header.text()).toMatch(/^id,course,email,/);
  });
});
