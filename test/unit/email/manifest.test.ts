// The course manifest: the real one loads, and a mistake fails naming the field.
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import { loadCourse, parseCourse } from '../../../functions/email/manifest.js';
import { SHIPPED_COURSE_DIR, shippedCourse } from '../../support/course.js';

/** course.json as plain data a test can break. */
interface RawCourse {
  [key: string]: unknown;
  sender?: Record<string, unknown>;
  lessons: Record<string, unknown>[];
}
const valid = JSON.parse(await readFile(join(SHIPPED_COURSE_DIR, 'course.json'), 'utf8')) as RawCourse;
const withChange = (change: (c: RawCourse) => void): unknown => {
  const copy = structuredClone(valid);
  change(copy);
  return copy;
};

describe('loadCourse', () => {
  it('loads the shipped course.json with its defaults: weekly at 09:00, eight lessons, its source and disclaimer', () => {
    const course = shippedCourse();
    expect(course.slug).toBe('botox-permanent-numbness');
    expect(course.cadenceDays).toBe(7);
    expect(course.sendHour).toBe('09:00');
    expect(course.sender.email).toBe('course@example.com');
    expect(course.lessons).toHaveLength(8);
    expect(course.source).toBe('source/000_ead803f271ebb9cd.txt');
    expect(course.disclaimer?.label).toBe('Medical disclaimer');
  });

  it('fills the cadence, send hour and time zone defaults when they are left out', () => {
    const course = parseCourse(
      withChange((c) => {
        delete c.cadenceDays;
        delete c.sendHour;
        delete c.defaultTimezone;
      }),
    );
    expect([course.cadenceDays, course.sendHour, course.defaultTimezone]).toEqual([7, '09:00', 'UTC']);
  });

  it('fails naming a lesson file that does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'course-'));
    try {
      await cp(SHIPPED_COURSE_DIR, dir, { recursive: true });
      await unlink(join(dir, 'lessons/05-effectiveness.mjml'));
      expect(() => loadCourse(dir)).toThrow(/course\.json: lessons\[4\]\.file: file not found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails clearly when course.json is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'course-'));
    try {
      await writeFile(join(dir, 'course.json'), '{ "slug": ');
      expect(() => loadCourse(dir)).toThrow(/course\.json: cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseCourse names the field that is wrong', () => {
  it.each([
    ['a missing lesson subject', (c: RawCourse) => delete c.lessons[3]!.subject, 'course.json: lessons[3].subject: required'],
    ['an empty lesson title', (c: RawCourse) => (c.lessons[0]!.title = '  '), 'course.json: lessons[0].title: must not be empty'],
    [
      'a subject with a line break',
      (c: RawCourse) => (c.lessons[2]!.subject = 'a\r\nBcc: x@y.z'),
      'course.json: lessons[2].subject: must not contain control characters',
    ],
    // The MIME composer refuses these at send time; the build must refuse them first.
    [
      'a subject with a Unicode line separator',
      (c: RawCourse) => (c.lessons[4]!.subject = 'a\u2028b'),
      'course.json: lessons[4].subject: must not contain control characters',
    ],
    [
      'a sender name with a C1 next-line character',
      (c: RawCourse) => (c.sender!.name = 'Course\u0085Team'),
      'course.json: sender.name: must not contain control characters',
    ],
    ['a bad sender address', (c: RawCourse) => (c.sender!.email = 'nobody'), 'course.json: sender.email: must be an email address'],
    ['a missing sender', (c: RawCourse) => delete c.sender, 'course.json: sender: required'],
    ['a bad send hour', (c: RawCourse) => (c.sendHour = '9am'), 'course.json: sendHour: must be HH:MM'],
    [
      'an unknown time zone',
      (c: RawCourse) => (c.defaultTimezone = 'Mars/Olympus'),
      'course.json: defaultTimezone: must be an IANA time zone',
    ],
    ['a zero cadence', (c: RawCourse) => (c.cadenceDays = 0), 'course.json: cadenceDays: must be at least 1'],
    ['a slug with spaces', (c: RawCourse) => (c.slug = 'Botox course'), 'course.json: slug: must be lower-case words joined by hyphens'],
    [
      'a lesson file outside its folder',
      (c: RawCourse) => (c.lessons[1]!.file = 'lessons/../../secrets.mjml'),
      'course.json: lessons[1].file: must stay inside its folder',
    ],
    [
      'a source outside the course folder',
      (c: RawCourse) => (c.source = '../../../shared/article.txt'),
      'course.json: source: must stay inside the course folder',
    ],
    ['an absolute source', (c: RawCourse) => (c.source = '/etc/passwd'), 'course.json: source: must stay inside the course folder'],
    [
      'a disclaimer without its text',
      (c: RawCourse) => (c.disclaimer = { label: 'Medical disclaimer' }),
      'course.json: disclaimer.text: required',
    ],
    ['no lessons', (c: RawCourse) => (c.lessons = []), 'course.json: lessons: must list at least one lesson'],
  ])('%s', (_what, change, message) => {
    expect.assertions(3);
    try {
      parseCourse(withChange(change));
    } catch (e: unknown) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message.startsWith(message)).toBe(true);
      expect((e as ValidationError).field).toBe(message.split(': ')[1]);
    }
  });
});
